package main

import (
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// checkPod applies the container rules to a pod template. Long-running
// pods (Deployments) must also answer probes.
func checkPod(ix *index, where string, t corev1.PodTemplateSpec, longRunning bool, p *problems) {
	spec := t.Spec
	if t.Labels[nameLabel] == "" || t.Labels[componentLabel] == "" {
		p.add(where, "pod template needs the %s and %s labels (selectors and NetworkPolicies use them)", nameLabel, componentLabel)
	}
	switch sa := spec.ServiceAccountName; {
	case sa == "" || sa == "default":
		p.add(where, "runs as the namespace's default ServiceAccount: use the platform's own")
	case !ix.has("ServiceAccount", sa):
		p.add(where, "ServiceAccount %q is not in the manifests", sa)
	}
	if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
		p.add(where, "must set automountServiceAccountToken: false")
	}
	if spec.HostNetwork || spec.HostPID || spec.HostIPC {
		p.add(where, "must not share the node's network, PID or IPC namespace")
	}
	psc := spec.SecurityContext
	if psc == nil {
		psc = &corev1.PodSecurityContext{}
	}
	for _, c := range append(append([]corev1.Container{}, spec.InitContainers...), spec.Containers...) {
		cw := where + " container " + c.Name
		if msg := imageProblem(c.Image); msg != "" {
			p.add(cw, "%s", msg)
		}
		checkResources(cw, c.Resources, p)
		checkSecurity(cw, psc, c.SecurityContext, p)
		checkEnv(ix, cw, c, p)
	}
	if longRunning {
		for _, c := range spec.Containers {
			checkProbes(where+" container "+c.Name, c, p)
		}
	}
}

// pinnedTag is a full release version or a commit id: a tag that names
// one build. Floating tags (latest, 1, 1.4, main) are not.
var pinnedTag = regexp.MustCompile(`^(v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?|[0-9a-f]{7,40})$`)

// imageProblem says what is wrong with an image reference, or "".
func imageProblem(image string) string {
	if image == "" {
		return "has no image"
	}
	if strings.Contains(image, "@sha256:") {
		return ""
	}
	last := image[strings.LastIndex(image, "/")+1:]
	i := strings.LastIndex(last, ":")
	if i < 0 {
		return "image " + image + " has no tag (implicitly :latest): pin a release tag or a digest in the overlay's images:"
	}
	if tag := last[i+1:]; !pinnedTag.MatchString(tag) {
		return "image " + image + " is not pinned: tag " + tag + " can move (use a full version such as 1.4.2, a commit id, or @sha256:...)"
	}
	return ""
}

// checkResources: requests for scheduling (and the HPAs' CPU percentage),
// a memory limit so one pod cannot starve a node.
func checkResources(where string, r corev1.ResourceRequirements, p *problems) {
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		if _, ok := r.Requests[name]; !ok {
			p.add(where, "has no resources.requests.%s", name)
		}
	}
	if _, ok := r.Limits[corev1.ResourceMemory]; !ok {
		p.add(where, "has no resources.limits.memory")
	}
}

// checkSecurity: non-root, read-only root, no escalation, no capabilities,
// the runtime's seccomp profile. A container setting overrides the pod's.
func checkSecurity(where string, psc *corev1.PodSecurityContext, sc *corev1.SecurityContext, p *problems) {
	if sc == nil {
		sc = &corev1.SecurityContext{}
	}
	nonRoot := pick(sc.RunAsNonRoot, psc.RunAsNonRoot)
	if nonRoot == nil || !*nonRoot {
		p.add(where, "must run with runAsNonRoot: true")
	}
	if u := pick(sc.RunAsUser, psc.RunAsUser); u != nil && *u == 0 {
		p.add(where, "runs as UID 0")
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		p.add(where, "must set readOnlyRootFilesystem: true (mount an emptyDir where it writes)")
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		p.add(where, "must set allowPrivilegeEscalation: false")
	}
	if sc.Privileged != nil && *sc.Privileged {
		p.add(where, "must not be privileged")
	}
	dropsAll := false
	if sc.Capabilities != nil {
		for _, c := range sc.Capabilities.Drop {
			dropsAll = dropsAll || c == "ALL"
		}
		if len(sc.Capabilities.Add) > 0 {
			p.add(where, "adds capabilities %v", sc.Capabilities.Add)
		}
	}
	if !dropsAll {
		p.add(where, "must drop ALL capabilities")
	}
	sp := pick(sc.SeccompProfile, psc.SeccompProfile)
	if sp == nil || (sp.Type != corev1.SeccompProfileTypeRuntimeDefault && sp.Type != corev1.SeccompProfileTypeLocalhost) {
		p.add(where, "must use seccompProfile RuntimeDefault")
	}
}

// pick is the container's setting if it has one, else the pod's.
func pick[T any](container, pod *T) *T {
	if container != nil {
		return container
	}
	return pod
}

// checkEnv: secrets only from Secrets; ConfigMaps referenced must exist
// (a kustomize-generated name that was not rewritten would not).
func checkEnv(ix *index, where string, c corev1.Container, p *problems) {
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil && e.Value != "" && secretish(e.Name, e.Value):
			p.add(where, "env %s has a literal value: take it from lms-secrets with secretKeyRef", e.Name)
		case e.ValueFrom != nil && e.ValueFrom.ConfigMapKeyRef != nil:
			if secretish(e.Name, "") {
				p.add(where, "env %s comes from a ConfigMap: take it from lms-secrets with secretKeyRef", e.Name)
			}
			if ref := e.ValueFrom.ConfigMapKeyRef; !ix.has("ConfigMap", ref.Name) && !optional(ref.Optional) {
				p.add(where, "env %s: ConfigMap %q is not in the manifests", e.Name, ref.Name)
			}
		}
	}
	for _, ef := range c.EnvFrom {
		if ref := ef.ConfigMapRef; ref != nil && !ix.has("ConfigMap", ref.Name) && !optional(ref.Optional) {
			p.add(where, "envFrom: ConfigMap %q is not in the manifests", ref.Name)
		}
	}
}

func optional(b *bool) bool { return b != nil && *b }

// checkProbes: readiness on /readyz (the process's dependencies answer),
// liveness on /healthz (the process itself answers: a database outage
// must not restart every pod), both on a port the container declares.
func checkProbes(where string, c corev1.Container, p *problems) {
	for _, pr := range []struct {
		kind, path string
		probe      *corev1.Probe
	}{{"readinessProbe", "/readyz", c.ReadinessProbe}, {"livenessProbe", "/healthz", c.LivenessProbe}, {"startupProbe", "", c.StartupProbe}} {
		if pr.probe == nil {
			if pr.path != "" {
				p.add(where, "has no %s (GET %s)", pr.kind, pr.path)
			}
			continue
		}
		get := pr.probe.HTTPGet
		if get == nil {
			p.add(where, "%s must be an httpGet", pr.kind)
			continue
		}
		if pr.path != "" && get.Path != pr.path {
			p.add(where, "%s must GET %s, not %q", pr.kind, pr.path, get.Path)
		}
		if !declaresPort(c, get.Port) {
			p.add(where, "%s port %s is not a port the container declares", pr.kind, get.Port.String())
		}
	}
}

// declaresPort reports whether the container has the port, by name or number.
func declaresPort(c corev1.Container, port intstr.IntOrString) bool {
	for _, cp := range c.Ports {
		if (port.Type == intstr.String && cp.Name == port.StrVal) || (port.Type == intstr.Int && cp.ContainerPort == port.IntVal) {
			return true
		}
	}
	return false
}
