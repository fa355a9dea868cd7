package main

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func TestGoodPasses(t *testing.T) {
	t.Parallel()
	if ps := check(good(t)); len(ps) > 0 {
		t.Fatalf("problems in testdata/good.yaml:\n%s", strings.Join(ps, "\n"))
	}
}

// Each rule fails on a manifest broken in the way it guards against.
func TestRulesFail(t *testing.T) {
	t.Parallel()
	ptr := func(b bool) *bool { return &b }
	i32 := func(n int32) *int32 { return &n }
	api := func(objs []object) *appsv1.Deployment { return get[*appsv1.Deployment](t, objs, "lms-api") }
	apiC := func(objs []object) *corev1.Container { return &api(objs).Spec.Template.Spec.Containers[0] }
	worker := func(objs []object) *appsv1.Deployment { return get[*appsv1.Deployment](t, objs, "lms-worker") }
	job := func(objs []object) *batchv1.Job { return get[*batchv1.Job](t, objs, "lms-migrate") }
	ingress := func(objs []object) *networkingv1.Ingress { return get[*networkingv1.Ingress](t, objs, "lms") }
	configMap := func(objs []object) *corev1.ConfigMap {
		for _, o := range objs {
			if c, ok := o.Value.(*corev1.ConfigMap); ok {
				return c
			}
		}
		t.Fatal("no ConfigMap")
		return nil
	}
	for name, tc := range map[string]struct {
		breakIt func(objs []object) []object
		want    string
	}{
		// Containers.
		"no cpu request": {func(o []object) []object { delete(apiC(o).Resources.Requests, corev1.ResourceCPU); return o },
			"Deployment/lms-api container lms: has no resources.requests.cpu"},
		"no memory limit": {func(o []object) []object { job(o).Spec.Template.Spec.Containers[0].Resources.Limits = nil; return o },
			"Job/lms-migrate container lms: has no resources.limits.memory"},
		"no readiness probe": {func(o []object) []object { apiC(o).ReadinessProbe = nil; return o },
			"has no readinessProbe (GET /readyz)"},
		"no liveness probe": {func(o []object) []object { worker(o).Spec.Template.Spec.Containers[0].LivenessProbe = nil; return o },
			"Deployment/lms-worker container lms: has no livenessProbe"},
		"readiness on liveness path": {func(o []object) []object { apiC(o).ReadinessProbe.HTTPGet.Path = "/healthz"; return o },
			`readinessProbe must GET /readyz, not "/healthz"`},
		"probe on undeclared port": {func(o []object) []object { apiC(o).LivenessProbe.HTTPGet.Port = intstr.FromInt32(9090); return o },
			"livenessProbe port 9090 is not a port the container declares"},
		"root allowed": {func(o []object) []object {
			api(o).Spec.Template.Spec.SecurityContext.RunAsNonRoot = ptr(false)
			return o
		},
			"must run with runAsNonRoot: true"},
		"writable root": {func(o []object) []object { apiC(o).SecurityContext.ReadOnlyRootFilesystem = nil; return o },
			"must set readOnlyRootFilesystem: true"},
		"privilege escalation": {func(o []object) []object { apiC(o).SecurityContext.AllowPrivilegeEscalation = ptr(true); return o },
			"must set allowPrivilegeEscalation: false"},
		"capabilities kept": {func(o []object) []object { apiC(o).SecurityContext.Capabilities = nil; return o },
			"must drop ALL capabilities"},
		"no seccomp": {func(o []object) []object { api(o).Spec.Template.Spec.SecurityContext.SeccompProfile = nil; return o },
			"must use seccompProfile RuntimeDefault"},
		"latest": {func(o []object) []object { apiC(o).Image = "registry.example.org/schoolcloud/lms:latest"; return o },
			"tag latest can move"},
		"minor-version tag": {func(o []object) []object { apiC(o).Image = "registry.example.org/schoolcloud/lms:1.4"; return o },
			"tag 1.4 can move"},
		"no tag": {func(o []object) []object { apiC(o).Image = "registry.example.org:5000/schoolcloud/lms"; return o },
			"has no tag"},
		"default service account": {func(o []object) []object { job(o).Spec.Template.Spec.ServiceAccountName = ""; return o },
			"Job/lms-migrate: runs as the namespace's default ServiceAccount"},
		"token mounted": {func(o []object) []object { worker(o).Spec.Template.Spec.AutomountServiceAccountToken = nil; return o },
			"Deployment/lms-worker: must set automountServiceAccountToken: false"},
		"service account mounts tokens": {func(o []object) []object {
			get[*corev1.ServiceAccount](t, o, "lms").AutomountServiceAccountToken = ptr(true)
			return o
		}, "ServiceAccount/lms: must set automountServiceAccountToken: false"},
		"config map missing": {func(o []object) []object { apiC(o).EnvFrom[0].ConfigMapRef.Name = "lms-config"; return o },
			`envFrom: ConfigMap "lms-config" is not in the manifests`},
		// Secrets.
		"secret with data": {func(o []object) []object {
			s, err := decode(strings.NewReader("apiVersion: v1\nkind: Secret\nmetadata: {name: lms-secrets}\nstringData: {LMS_LEDGER_SECRET: x}\n"))
			if err != nil {
				t.Fatal(err)
			}
			return append(o, s...)
		}, "Secret/lms-secrets: has data"},
		"literal secret": {func(o []object) []object {
			apiC(o).Env = append(apiC(o).Env, corev1.EnvVar{Name: "LMS_LEDGER_SECRET", Value: "0123456789abcdef0123456789abcdef"})
			return o
		}, "env LMS_LEDGER_SECRET has a literal value"},
		"literal access key": {func(o []object) []object {
			apiC(o).Env = append(apiC(o).Env, corev1.EnvVar{Name: "LMS_S3_ACCESS_KEY", Value: "AKIA..."})
			return o
		}, "env LMS_S3_ACCESS_KEY has a literal value"},
		"password in a URL": {func(o []object) []object {
			apiC(o).Env = append(apiC(o).Env, corev1.EnvVar{Name: "LMS_REPLICA", Value: "postgres://lms:hunter2@db:5432/lms"})
			return o
		}, "env LMS_REPLICA has a literal value"},
		"secret in the config map": {func(o []object) []object { configMap(o).Data["LMS_S3_SECRET_KEY"] = "x"; return o },
			"key LMS_S3_SECRET_KEY looks like a secret"},
		"database URL in the config map": {func(o []object) []object {
			configMap(o).Data["LMS_DATABASE_URL"] = "postgres://lms_server@db/lms"
			return o
		}, "key LMS_DATABASE_URL looks like a secret"},
		// Scaling and disruption.
		"no PDB": {func(o []object) []object { return without(o, "PodDisruptionBudget", "lms-worker") },
			"Deployment/lms-worker: has no PodDisruptionBudget"},
		"PDB selects nothing": {func(o []object) []object {
			get[*policyv1.PodDisruptionBudget](t, o, "lms-api").Spec.Selector.MatchLabels["app.kubernetes.io/component"] = "apu"
			return o
		}, "PodDisruptionBudget/lms-api: selects no Deployment's pods"},
		"PDB blocks drains": {func(o []object) []object {
			zero := intstr.FromInt32(0)
			get[*policyv1.PodDisruptionBudget](t, o, "lms-api").Spec.MaxUnavailable = &zero
			return o
		}, "maxUnavailable 0 blocks every node drain"},
		"no HPA": {func(o []object) []object { return without(o, "HorizontalPodAutoscaler", "lms-api") },
			"Deployment/lms-api: has no HorizontalPodAutoscaler"},
		"HPA targets a typo": {func(o []object) []object {
			get[*autoscalingv2.HorizontalPodAutoscaler](t, o, "lms-worker").Spec.ScaleTargetRef.Name = "lms-wokrer"
			return o
		}, "targets apps/v1 Deployment/lms-wokrer, which is not a Deployment in the manifests"},
		"HPA of one": {func(o []object) []object {
			get[*autoscalingv2.HorizontalPodAutoscaler](t, o, "lms-api").Spec.MinReplicas = i32(1)
			return o
		}, "minReplicas must be at least 2"},
		"replicas beside an HPA": {func(o []object) []object { api(o).Spec.Replicas = i32(3); return o },
			"sets spec.replicas although HorizontalPodAutoscaler/lms-api owns the count"},
		"selector misses the pods": {func(o []object) []object {
			api(o).Spec.Selector.MatchLabels["app.kubernetes.io/component"] = "web"
			return o
		}, "Deployment/lms-api: selector does not match its pod template's labels"},
		"job retries forever": {func(o []object) []object { job(o).Spec.BackoffLimit = nil; return o }, "Job/lms-migrate: must set backoffLimit"},
		"job kept forever": {func(o []object) []object { job(o).Spec.TTLSecondsAfterFinished = nil; return o },
			"Job/lms-migrate: must set ttlSecondsAfterFinished"},
		// Service and Ingress.
		"service misses the API": {func(o []object) []object {
			get[*corev1.Service](t, o, "lms-api").Spec.Selector["app.kubernetes.io/component"] = "worker"
			return o
		}, "Deployment/lms-api: runs `lms serve` but no Service selects its pods"},
		"service port undeclared": {func(o []object) []object {
			get[*corev1.Service](t, o, "lms-api").Spec.Ports[0].TargetPort = intstr.FromString("web")
			return o
		}, "port http targets web, which Deployment/lms-api's containers do not declare"},
		"ingress without TLS": {func(o []object) []object { ingress(o).Spec.TLS = nil; return o }, "Ingress/lms: has no TLS"},
		"host without certificate": {func(o []object) []object { ingress(o).Spec.Rules[0].Host = "lms.example.net"; return o },
			"host lms.example.net is not covered by TLS"},
		"ingress to a missing service": {func(o []object) []object {
			ingress(o).Spec.Rules[0].HTTP.Paths[0].Backend.Service.Name = "lms"
			return o
		}, "backend Service lms is not in the manifests"},
		// Network policies.
		"no default deny": {func(o []object) []object { return without(o, "NetworkPolicy", "default-deny") },
			"no default-deny NetworkPolicy"},
		"default deny narrowed": {func(o []object) []object {
			get[*networkingv1.NetworkPolicy](t, o, "default-deny").Spec.PolicyTypes = []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}
			return o
		}, "no default-deny NetworkPolicy"},
		"egress on every port": {func(o []object) []object {
			get[*networkingv1.NetworkPolicy](t, o, "lms-egress-postgres").Spec.Egress[0].Ports = nil
			return o
		}, "NetworkPolicy/lms-egress-postgres: allows egress on every port"},
		"placeholder CIDR": {func(o []object) []object {
			get[*networkingv1.NetworkPolicy](t, o, "lms-egress-smtp").Spec.Egress[0].To[0].IPBlock.CIDR = "203.0.113.0/24"
			return o
		}, "ipBlock 203.0.113.0/24 is the base's placeholder"},
		"policy selects nothing": {func(o []object) []object {
			get[*networkingv1.NetworkPolicy](t, o, "lms-egress-smtp").Spec.PodSelector.MatchLabels["app.kubernetes.io/component"] = "mailer"
			return o
		}, "NetworkPolicy/lms-egress-smtp: selects none of our pods"},
		// Namespace and labels.
		"no namespace":   {func(o []object) []object { o[3].Namespace = ""; return o }, "has no namespace"},
		"two namespaces": {func(o []object) []object { o[3].Namespace = "lms-eea"; return o }, "span namespaces lms-eea, lms-uk"},
		"label missing": {func(o []object) []object {
			o[2].Labels = map[string]string{"app.kubernetes.io/part-of": "lms"}
			return o
		}, "has no app.kubernetes.io/name label"},
		"label differs": {func(o []object) []object {
			o[4].Labels = map[string]string{"app.kubernetes.io/name": "lms", "app.kubernetes.io/part-of": "school"}
			return o
		}, "has app.kubernetes.io/part-of=school, others lms"},
		"pod without component": {func(o []object) []object {
			delete(job(o).Spec.Template.Labels, "app.kubernetes.io/component")
			return o
		},
			"Job/lms-migrate: pod template needs the app.kubernetes.io/name and app.kubernetes.io/component labels"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ps := check(tc.breakIt(good(t)))
			for _, p := range ps {
				if strings.Contains(p, tc.want) {
					return
				}
			}
			t.Fatalf("no problem contains %q; got:\n%s", tc.want, strings.Join(ps, "\n"))
		})
	}
}

// A digest pins an image as well as a full version does.
func TestImagePinned(t *testing.T) {
	t.Parallel()
	for _, img := range []string{"r.example/lms:1.4.2", "r.example/lms:v1.4.2-rc.1", "r.example:5000/lms:0f3a9c1", "r.example/lms@sha256:" + strings.Repeat("a", 64)} {
		if msg := imageProblem(img); msg != "" {
			t.Errorf("%s: %s", img, msg)
		}
	}
}

// get finds the object of type T named name.
func get[T any](t *testing.T, objs []object, name string) T {
	t.Helper()
	for _, o := range objs {
		if v, ok := o.Value.(T); ok && o.Name == name {
			return v
		}
	}
	var zero T
	t.Fatalf("no %T named %s", zero, name)
	return zero
}

// without drops the object of that kind and name.
func without(objs []object, kind, name string) []object {
	var out []object
	for _, o := range objs {
		if o.Kind != kind || o.Name != name {
			out = append(out, o)
		}
	}
	return out
}
