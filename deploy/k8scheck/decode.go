package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	sigsjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// object is one decoded manifest: its identity and its typed value, one of
// the pointer types in kinds.
type object struct {
	Kind, Name, Namespace string
	Labels                map[string]string
	Value                 any
}

// String names the object in messages: Kind/name.
func (o object) String() string { return o.Kind + "/" + o.Name }

// kinds are the API types the platform ships, by "apiVersion kind". Any
// other kind is refused: add it here, with rules, when the platform needs it.
var kinds = map[string]func() metav1.Object{
	"v1 Namespace":                           func() metav1.Object { return &corev1.Namespace{} },
	"v1 ServiceAccount":                      func() metav1.Object { return &corev1.ServiceAccount{} },
	"v1 ConfigMap":                           func() metav1.Object { return &corev1.ConfigMap{} },
	"v1 Secret":                              func() metav1.Object { return &corev1.Secret{} },
	"v1 Service":                             func() metav1.Object { return &corev1.Service{} },
	"apps/v1 Deployment":                     func() metav1.Object { return &appsv1.Deployment{} },
	"batch/v1 Job":                           func() metav1.Object { return &batchv1.Job{} },
	"networking.k8s.io/v1 Ingress":           func() metav1.Object { return &networkingv1.Ingress{} },
	"networking.k8s.io/v1 NetworkPolicy":     func() metav1.Object { return &networkingv1.NetworkPolicy{} },
	"policy/v1 PodDisruptionBudget":          func() metav1.Object { return &policyv1.PodDisruptionBudget{} },
	"autoscaling/v2 HorizontalPodAutoscaler": func() metav1.Object { return &autoscalingv2.HorizontalPodAutoscaler{} },
}

// clusterScoped kinds carry no namespace.
var clusterScoped = map[string]bool{"Namespace": true}

// decode reads a multi-document YAML stream and decodes each document
// strictly into its API type. It reports every bad document, not just the
// first.
func decode(r io.Reader) ([]object, error) {
	yr := utilyaml.NewYAMLReader(bufio.NewReader(r))
	var objs []object
	var errs []error
	for n := 1; ; n++ {
		doc, err := yr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", n, err)
		}
		o, err := decodeOne(doc)
		if err != nil {
			errs = append(errs, fmt.Errorf("document %d: %w", n, err))
			continue
		}
		if o != nil {
			objs = append(objs, *o)
		}
	}
	if len(objs) == 0 && len(errs) == 0 {
		errs = append(errs, errors.New("no objects on standard input"))
	}
	return objs, errors.Join(errs...)
}

// decodeOne decodes one document; nil for an empty one (only comments).
func decodeOne(doc []byte) (*object, error) {
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal(doc, &tm); err != nil {
		return nil, err
	}
	if tm.APIVersion == "" && tm.Kind == "" {
		var any map[string]any
		if err := yaml.Unmarshal(doc, &any); err != nil || len(any) == 0 {
			return nil, err // empty: a comment, or "---" twice
		}
		return nil, errors.New("no apiVersion and kind")
	}
	mk, ok := kinds[tm.APIVersion+" "+tm.Kind]
	if !ok {
		return nil, fmt.Errorf("unknown kind %s %s (k8scheck knows %s)", tm.APIVersion, tm.Kind, knownKinds())
	}
	v := mk()
	// Strict, as the API server's own decoder (sigs.k8s.io/json) with field
	// validation Strict: a duplicated key, an unknown field or a wrong type
	// is an error naming the field's path, not silently dropped.
	js, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		return nil, fmt.Errorf("%s %q: %w", tm.Kind, nameOf(doc), err)
	}
	strict, err := sigsjson.UnmarshalStrict(js, v)
	if err = errors.Join(append(strict, err)...); err != nil {
		return nil, fmt.Errorf("%s %q: %w", tm.Kind, nameOf(doc), err)
	}
	if v.GetName() == "" {
		return nil, fmt.Errorf("%s without metadata.name", tm.Kind)
	}
	return &object{Kind: tm.Kind, Name: v.GetName(), Namespace: v.GetNamespace(), Labels: v.GetLabels(), Value: v}, nil
}

// nameOf is the document's metadata.name, read leniently for messages.
func nameOf(doc []byte) string {
	var m struct {
		Metadata struct {
			Name string `json:"name"`
		} `json:"metadata"`
	}
	_ = yaml.Unmarshal(doc, &m)
	return m.Metadata.Name
}

func knownKinds() string {
	var ks []string
	for k := range kinds {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}
