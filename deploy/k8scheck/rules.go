package main

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Labels every object carries, with one value across the stream.
const (
	nameLabel      = "app.kubernetes.io/name"
	partOfLabel    = "app.kubernetes.io/part-of"
	componentLabel = "app.kubernetes.io/component"
)

// index holds the decoded objects by type, for rules that relate them.
type index struct {
	objs        []object
	deployments []*appsv1.Deployment
	jobs        []*batchv1.Job
	services    []*corev1.Service
	ingresses   []*networkingv1.Ingress
	netpols     []*networkingv1.NetworkPolicy
	pdbs        []*policyv1.PodDisruptionBudget
	hpas        []*autoscalingv2.HorizontalPodAutoscaler
	configmaps  []*corev1.ConfigMap
	secrets     []*corev1.Secret
	accounts    []*corev1.ServiceAccount
	namespaces  []*corev1.Namespace
}

func newIndex(objs []object) *index {
	ix := &index{objs: objs}
	for _, o := range objs {
		switch v := o.Value.(type) {
		case *appsv1.Deployment:
			ix.deployments = append(ix.deployments, v)
		case *batchv1.Job:
			ix.jobs = append(ix.jobs, v)
		case *corev1.Service:
			ix.services = append(ix.services, v)
		case *networkingv1.Ingress:
			ix.ingresses = append(ix.ingresses, v)
		case *networkingv1.NetworkPolicy:
			ix.netpols = append(ix.netpols, v)
		case *policyv1.PodDisruptionBudget:
			ix.pdbs = append(ix.pdbs, v)
		case *autoscalingv2.HorizontalPodAutoscaler:
			ix.hpas = append(ix.hpas, v)
		case *corev1.ConfigMap:
			ix.configmaps = append(ix.configmaps, v)
		case *corev1.Secret:
			ix.secrets = append(ix.secrets, v)
		case *corev1.ServiceAccount:
			ix.accounts = append(ix.accounts, v)
		case *corev1.Namespace:
			ix.namespaces = append(ix.namespaces, v)
		}
	}
	return ix
}

// has reports an object of that kind and name in the stream.
func (ix *index) has(kind, name string) bool {
	for _, o := range ix.objs {
		if o.Kind == kind && o.Name == name {
			return true
		}
	}
	return false
}

// problems collects messages, each naming the object it is about.
type problems []string

func (p *problems) add(where, format string, args ...any) {
	*p = append(*p, where+": "+fmt.Sprintf(format, args...))
}

// check runs every rule and returns the problems found, sorted.
func check(objs []object) []string {
	ix := newIndex(objs)
	var p problems
	checkMeta(ix, &p)
	checkSecrets(ix, &p)
	for _, d := range ix.deployments {
		checkPod(ix, "Deployment/"+d.Name, d.Spec.Template, true, &p)
		checkDeployment(ix, d, &p)
	}
	for _, j := range ix.jobs {
		checkPod(ix, "Job/"+j.Name, j.Spec.Template, false, &p)
		checkJob(j, &p)
	}
	checkOrphans(ix, &p)
	checkServices(ix, &p)
	checkIngresses(ix, &p)
	checkNetworkPolicies(ix, &p)
	sort.Strings(p)
	return p
}

// checkMeta: one namespace on every namespaced object (the overlay's), and
// the same name and part-of labels everywhere.
func checkMeta(ix *index, p *problems) {
	nss := map[string]bool{}
	want := map[string]string{}
	for _, o := range ix.objs {
		if clusterScoped[o.Kind] {
			if o.Namespace != "" {
				p.add(o.String(), "is cluster-scoped but has namespace %q", o.Namespace)
			}
		} else if o.Namespace == "" {
			p.add(o.String(), "has no namespace: set `namespace:` in the overlay")
		} else {
			nss[o.Namespace] = true
		}
		for _, l := range []string{nameLabel, partOfLabel} {
			v := o.Labels[l]
			switch {
			case v == "":
				p.add(o.String(), "has no %s label", l)
			case want[l] == "":
				want[l] = v
			case want[l] != v:
				p.add(o.String(), "has %s=%s, others %s", l, v, want[l])
			}
		}
	}
	if len(nss) > 1 {
		p.add("manifests", "span namespaces %s: an overlay is one namespace", strings.Join(keys(nss), ", "))
	}
	for _, n := range ix.namespaces {
		if len(nss) == 1 && !nss[n.Name] {
			p.add("Namespace/"+n.Name, "is not the namespace the objects are in (%s)", strings.Join(keys(nss), ""))
		}
	}
	for _, a := range ix.accounts {
		if a.AutomountServiceAccountToken == nil || *a.AutomountServiceAccountToken {
			p.add("ServiceAccount/"+a.Name, "must set automountServiceAccountToken: false (the platform never calls the Kubernetes API)")
		}
	}
}

// checkSecrets: no secret material in the repository's manifests. Secrets
// are created by the operator out of band; ConfigMaps hold none.
func checkSecrets(ix *index, p *problems) {
	for _, s := range ix.secrets {
		if len(s.Data) > 0 || len(s.StringData) > 0 {
			p.add("Secret/"+s.Name, "has data: secrets are created out of band, never kept in the repository")
		}
	}
	for _, c := range ix.configmaps {
		for _, k := range keys(c.Data) {
			if secretish(k, c.Data[k]) {
				p.add("ConfigMap/"+c.Name, "key %s looks like a secret: put it in lms-secrets and reference it with secretKeyRef", k)
			}
		}
	}
}

// secretName matches variable names that hold credentials or keys.
var secretName = regexp.MustCompile(`(?i)(SECRET|PASSWORD|PASSWD|TOKEN|CREDENTIAL|PRIVATE|(^|_)KEY($|_)|DATABASE_URL|DSN)`)

// secretish reports a setting that must come from a Secret: by its name,
// or because its value is a URL with a password in it.
func secretish(name, value string) bool {
	if secretName.MatchString(name) {
		return true
	}
	u, err := url.Parse(strings.TrimSpace(value))
	if err != nil || u.User == nil {
		return false
	}
	_, ok := u.User.Password()
	return ok
}

// selects reports whether sel picks pods labelled podLabels. An empty
// selector selects nothing here: in our manifests that is always a mistake
// (the default-deny policy is checked on its own).
func selects(sel *metav1.LabelSelector, podLabels map[string]string) bool {
	if sel == nil || (len(sel.MatchLabels) == 0 && len(sel.MatchExpressions) == 0) {
		return false
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	return err == nil && s.Matches(labels.Set(podLabels))
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
