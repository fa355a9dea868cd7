package main

import (
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// checkDeployment: its selector picks its own pods, exactly one PDB covers
// them and exactly one HPA scales it, from at least two replicas.
func checkDeployment(ix *index, d *appsv1.Deployment, p *problems) {
	where := "Deployment/" + d.Name
	pods := d.Spec.Template.Labels
	if !selects(d.Spec.Selector, pods) {
		p.add(where, "selector does not match its pod template's labels")
	}
	if c := d.Labels[componentLabel]; c != pods[componentLabel] {
		p.add(where, "has %s=%q but its pods %q", componentLabel, c, pods[componentLabel])
	}
	var pdbs []*policyv1.PodDisruptionBudget
	for _, b := range ix.pdbs {
		if selects(b.Spec.Selector, pods) {
			pdbs = append(pdbs, b)
		}
	}
	switch len(pdbs) {
	case 0:
		p.add(where, "has no PodDisruptionBudget selecting its pods: a node drain may take them all at once")
	case 1:
		b := pdbs[0]
		if mu := b.Spec.MaxUnavailable; mu != nil && intstr.ValueOrDefault(mu, intstr.FromInt32(1)).String() == "0" {
			p.add("PodDisruptionBudget/"+b.Name, "maxUnavailable 0 blocks every node drain")
		}
		if b.Spec.MaxUnavailable == nil && b.Spec.MinAvailable == nil {
			p.add("PodDisruptionBudget/"+b.Name, "sets neither maxUnavailable nor minAvailable")
		}
	default:
		p.add(where, "is covered by %d PodDisruptionBudgets: evictions then fail", len(pdbs))
	}
	var hpas []*autoscalingv2.HorizontalPodAutoscaler
	for _, h := range ix.hpas {
		if targets(h, d.Name) {
			hpas = append(hpas, h)
		}
	}
	switch len(hpas) {
	case 0:
		p.add(where, "has no HorizontalPodAutoscaler targeting it")
	case 1:
		h := hpas[0]
		if h.Spec.MinReplicas == nil || *h.Spec.MinReplicas < 2 {
			p.add("HorizontalPodAutoscaler/"+h.Name, "minReplicas must be at least 2: one pod makes every restart or drain an outage")
		}
		if len(h.Spec.Metrics) == 0 {
			p.add("HorizontalPodAutoscaler/"+h.Name, "has no metrics")
		}
		if d.Spec.Replicas != nil {
			p.add(where, "sets spec.replicas although HorizontalPodAutoscaler/%s owns the count: every apply would reset it", h.Name)
		}
	default:
		p.add(where, "is targeted by %d HorizontalPodAutoscalers, which would fight", len(hpas))
	}
}

// targets reports whether h scales the Deployment named name.
func targets(h *autoscalingv2.HorizontalPodAutoscaler, name string) bool {
	r := h.Spec.ScaleTargetRef
	return r.Kind == "Deployment" && r.Name == name && (r.APIVersion == "apps/v1" || r.APIVersion == "")
}

// checkJob: bounded retries, and the finished Job cleaned up.
func checkJob(j *batchv1.Job, p *problems) {
	where := "Job/" + j.Name
	if j.Spec.BackoffLimit == nil {
		p.add(where, "must set backoffLimit (the default retries 6 times)")
	}
	if j.Spec.TTLSecondsAfterFinished == nil {
		p.add(where, "must set ttlSecondsAfterFinished, so finished Jobs do not pile up")
	}
}

// checkOrphans: every PDB and HPA is about a Deployment in the stream (a
// renamed Deployment leaves them protecting nothing).
func checkOrphans(ix *index, p *problems) {
	for _, b := range ix.pdbs {
		found := false
		for _, d := range ix.deployments {
			found = found || selects(b.Spec.Selector, d.Spec.Template.Labels)
		}
		if !found {
			p.add("PodDisruptionBudget/"+b.Name, "selects no Deployment's pods")
		}
	}
	for _, h := range ix.hpas {
		found := false
		for _, d := range ix.deployments {
			found = found || targets(h, d.Name)
		}
		if !found {
			r := h.Spec.ScaleTargetRef
			p.add("HorizontalPodAutoscaler/"+h.Name, "targets %s %s/%s, which is not a Deployment in the manifests", r.APIVersion, r.Kind, r.Name)
		}
	}
}
