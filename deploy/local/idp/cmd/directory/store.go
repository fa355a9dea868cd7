package main

import (
	"crypto/subtle"
	"sync"
)

// directory holds the users in memory, by username.
type directory struct {
	mu    sync.RWMutex
	users map[string]user
}

func newDirectory() *directory { return &directory{users: map[string]user{}} }

func (d *directory) seed(b []byte) error {
	m, err := decodeUsers(b)
	if err != nil {
		return err
	}
	for name, u := range m {
		d.put(name, u)
	}
	return nil
}

func (d *directory) put(name string, u user) {
	if u.Claims == nil {
		u.Claims = map[string]any{}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.users[name] = u
}

func (d *directory) remove(name string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.users[name]
	delete(d.users, name)
	return ok
}

func (d *directory) get(name string) (user, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	u, ok := d.users[name]
	return u, ok
}

// check returns the user if the password is theirs.
func (d *directory) check(name, password string) (user, bool) {
	u, ok := d.get(name)
	if !ok || subtle.ConstantTimeCompare([]byte(u.Password), []byte(password)) != 1 {
		return user{}, false
	}
	return u, true
}

// bySubject finds the user Hydra knows by subject (for a login Hydra lets
// skip the form).
func (d *directory) bySubject(subject string) (string, user, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	for name, u := range d.users {
		if u.subject(name) == subject {
			return name, u, true
		}
	}
	return "", user{}, false
}
