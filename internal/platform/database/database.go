// Package database opens the platform's PostgreSQL pool and runs platform
// (non-tenant) transactions. Tenant data is reached through package access,
// which adds the tenant setting that row-level security checks.
package database

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// DB is one pgx pool seen two ways: raw pgx for the job engine and hot paths,
// gorm for domain stores. Both share the same connections.
type DB struct {
	Pool *pgxpool.Pool
	Gorm *gorm.DB
}

// Open connects and pings. maxConns caps the pool.
func Open(ctx context.Context, url string, maxConns int32) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("database: parse url: %w", err)
	}
	cfg.MaxConns = maxConns
	cfg.ConnConfig.RuntimeParams["application_name"] = "lms"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("database: connect: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("database: ping %s@%s/%s: %w", cfg.ConnConfig.User, cfg.ConnConfig.Host, cfg.ConnConfig.Database, err)
	}
	sqlDB := stdlib.OpenDBFromPool(pool)
	g, err := gorm.Open(postgres.New(postgres.Config{Conn: sqlDB}), &gorm.Config{
		Logger: logger.NewSlogLogger(slog.Default(), logger.Config{
			// Statement values are personal data (and password hashes): never log them.
			// Errors are returned, mapped and logged by the caller; only slow queries here.
			SlowThreshold: 500 * time.Millisecond, LogLevel: logger.Silent, IgnoreRecordNotFoundError: true, ParameterizedQueries: true,
		}),
		SkipDefaultTransaction: true,
		TranslateError:         true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("database: gorm: %w", err)
	}
	return &DB{Pool: pool, Gorm: g}, nil
}

// Close releases every connection.
func (db *DB) Close() {
	if s, err := db.Gorm.DB(); err == nil {
		_ = s.Close()
	}
	db.Pool.Close()
}

// Transact runs fn in a transaction on platform tables (tenants, contracts,
// staff). It rolls back when fn returns an error or panics.
func (db *DB) Transact(ctx context.Context, fn func(tx *gorm.DB) error) error {
	return db.Gorm.WithContext(ctx).Transaction(fn)
}

// Ready checks that the database answers.
func (db *DB) Ready(ctx context.Context) error {
	return db.Pool.Ping(ctx)
}

// GeneratedColumns lists, by table, the columns PostgreSQL computes
// (GENERATED ALWAYS … STORED, such as people.username_key): nothing may
// write them, so code that copies rows in (a restore) leaves them out.
func (db *DB) GeneratedColumns(ctx context.Context) (map[string][]string, error) {
	var cols []struct{ TableName, ColumnName string }
	err := db.Gorm.WithContext(ctx).Raw(`SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND is_generated = 'ALWAYS'`).Scan(&cols).Error
	if err != nil {
		return nil, fmt.Errorf("database: generated columns: %w", err)
	}
	out := map[string][]string{}
	for _, c := range cols {
		out[c.TableName] = append(out[c.TableName], c.ColumnName)
	}
	return out, nil
}

// ColumnTypes maps table → column → SQL type (information_schema's
// data_type) of the public schema, for code that treats values by type.
func (db *DB) ColumnTypes(ctx context.Context) (map[string]map[string]string, error) {
	var cols []struct{ TableName, ColumnName, DataType string }
	err := db.Gorm.WithContext(ctx).Raw(`SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public'`).Scan(&cols).Error
	if err != nil {
		return nil, fmt.Errorf("database: column types: %w", err)
	}
	out := map[string]map[string]string{}
	for _, c := range cols {
		if out[c.TableName] == nil {
			out[c.TableName] = map[string]string{}
		}
		out[c.TableName][c.ColumnName] = c.DataType
	}
	return out, nil
}
