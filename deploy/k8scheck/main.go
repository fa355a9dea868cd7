// Command k8scheck checks the platform's Kubernetes manifests and image
// binary before they ship.
//
//	kustomize build deploy/k8s/overlays/uk | go run .   # the manifests
//	go run . -binary PATH                               # a static lms binary
//
// Manifests are read as one multi-document YAML stream on standard input;
// every object is decoded strictly into its Kubernetes API type (an unknown
// kind or field is an error, as a typo would otherwise be dropped silently
// by the API server), then checked against the rules in rules*.go. Each
// problem is printed on its own line and the exit status is 1.
package main

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
)

func main() {
	binary := flag.String("binary", "", "check that this Go binary is static and built as deploy/Dockerfile builds it, instead of reading manifests")
	flag.Parse()
	if *binary != "" {
		if err := checkBinary(*binary); err != nil {
			fail([]string{err.Error()})
		}
		fmt.Printf("%s: static, CGO_ENABLED=0, -trimpath, stripped\n", *binary)
		return
	}
	objs, err := decode(os.Stdin)
	if err != nil {
		fail(strings.Split(err.Error(), "\n"))
	}
	if problems := check(objs); len(problems) > 0 {
		fail(problems)
	}
	fmt.Println(summary(objs))
}

func fail(problems []string) {
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, p)
	}
	os.Exit(1)
}

// summary is the one line printed for a stream that passes: the namespace
// and how many objects of each kind.
func summary(objs []object) string {
	count := map[string]int{}
	ns := ""
	for _, o := range objs {
		count[o.Kind]++
		if o.Namespace != "" {
			ns = o.Namespace
		}
	}
	var parts []string
	for k, n := range count {
		parts = append(parts, fmt.Sprintf("%d %s", n, k))
	}
	sort.Strings(parts)
	return fmt.Sprintf("ok: namespace %s, %d objects (%s)", ns, len(objs), strings.Join(parts, ", "))
}
