package main

import (
	"context"
	"testing"
)

func TestLoadProf(t *testing.T) {
	s, err := runAuthz(context.Background(), 1500, 50, 1000, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("load %s", s.loadTime)
}
