package main

import (
	"os"
	"strings"
	"testing"
)

func TestDecodeStrict(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct{ yaml, want string }{
		"unknown field": {`apiVersion: apps/v1
kind: Deployment
metadata: {name: x}
spec:
  replica: 2
`, `unknown field "spec.replica"`},
		"field at the wrong level": {`apiVersion: v1
kind: ServiceAccount
metadata: {name: x, automountServiceAccountToken: false}
`, `unknown field "metadata.automountServiceAccountToken"`},
		"duplicate field": {`apiVersion: v1
kind: ConfigMap
metadata: {name: x}
data: {A: "1"}
data: {B: "2"}
`, `already set`},
		"unknown kind": {`apiVersion: batch/v1
kind: CronJob
metadata: {name: x}
`, "unknown kind batch/v1 CronJob"},
		"old apiVersion": {`apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata: {name: x}
`, "unknown kind autoscaling/v1 HorizontalPodAutoscaler"},
		"no kind": {"metadata: {name: x}\n", "no apiVersion and kind"},
		"no name": {"apiVersion: v1\nkind: ConfigMap\n", "without metadata.name"},
		"nothing": {"# only a comment\n---\n", "no objects"},
		"wrong type": {`apiVersion: v1
kind: Service
metadata: {name: x}
spec: {ports: [{port: eighty}]}
`, "Service"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := decode(strings.NewReader(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("decode: got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// Every bad document is reported, each by its position in the stream.
func TestDecodeReportsEveryDocument(t *testing.T) {
	t.Parallel()
	_, err := decode(strings.NewReader("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\nbogus: 1\n"))
	if err == nil || !strings.Contains(err.Error(), "document 1:") || !strings.Contains(err.Error(), "document 2:") {
		t.Fatalf("got %v, want both documents named", err)
	}
}

func TestDecodeGood(t *testing.T) {
	t.Parallel()
	objs := good(t)
	if len(objs) < 15 {
		t.Fatalf("decoded %d objects from testdata/good.yaml", len(objs))
	}
	if got := summary(objs); !strings.Contains(got, "namespace lms-uk") || !strings.Contains(got, "2 Deployment") {
		t.Fatalf("summary %q", got)
	}
}

// good decodes the fixture afresh, so each test may change its objects.
func good(t *testing.T) []object {
	t.Helper()
	f, err := os.Open("testdata/good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	objs, err := decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}
