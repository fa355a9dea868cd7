package objstore

import (
	"context"
	"errors"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	"github.com/prometheus/client_golang/prometheus"
)

// calls counts and times every call the store makes, whichever package
// makes it (through Store's methods, Store.S3 directly, paginators or the
// transfer manager): a middleware on the SDK client's stack, at its first
// step, so one call is one observation however many retries it took.
// Presigning makes no call and is not counted.
type calls struct {
	total    *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newCalls() *calls {
	return &calls{
		total: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "lms_objstore_requests_total",
			Help: "Object store calls by S3 operation and outcome: ok, not_found, client_error (4xx, e.g. refused credentials), " +
				"server_error (5xx), network_error (no answer, or none in time), canceled."}, []string{"operation", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "lms_objstore_request_duration_seconds",
			Help:    "Object store call duration by S3 operation, retries included.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}}, []string{"operation"}),
	}
}

// Describe sends the descriptors.
func (c *calls) Describe(ch chan<- *prometheus.Desc) {
	c.total.Describe(ch)
	c.duration.Describe(ch)
}

// Collect sends the counts and timings.
func (c *calls) Collect(ch chan<- prometheus.Metric) {
	c.total.Collect(ch)
	c.duration.Collect(ch)
}

// Metrics is the store's collector of its calls, for a process's registry.
func (s *Store) Metrics() prometheus.Collector { return s.calls }

// observe is the stack option that records each call.
func (c *calls) observe(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("LMSObjstoreMetrics",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			start := time.Now()
			out, md, err := next.HandleInitialize(ctx, in)
			op := awsmiddleware.GetOperationName(ctx)
			c.total.WithLabelValues(op, outcome(err)).Inc()
			c.duration.WithLabelValues(op).Observe(time.Since(start).Seconds())
			return out, md, err
		}), middleware.After)
}

// outcome classifies a call's error for alerting: a missing object is an
// answer (HeadObject asks exactly that), a refusal or a failure is not.
func outcome(err error) string {
	if err == nil {
		return "ok"
	}
	if errors.Is(err, context.Canceled) {
		return "canceled"
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		var api smithy.APIError
		switch code := re.HTTPStatusCode(); {
		case code == 404 && !(errors.As(err, &api) && api.ErrorCode() == "NoSuchBucket"): // a missing bucket is a fault, not an answer
			return "not_found"
		case code >= 500:
			return "server_error"
		case code >= 400:
			return "client_error"
		}
	}
	return "network_error"
}
