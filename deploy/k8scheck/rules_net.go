package main

import (
	"net"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// isAPI reports a Deployment running `lms serve`.
func isAPI(d *appsv1.Deployment) bool {
	for _, c := range d.Spec.Template.Spec.Containers {
		if len(c.Args) > 0 && c.Args[0] == "serve" {
			return true
		}
	}
	return false
}

// checkServices: each Service selects a Deployment's pods on ports they
// declare, and one of them selects the API.
func checkServices(ix *index, p *problems) {
	apis := 0
	for _, d := range ix.deployments {
		if !isAPI(d) {
			continue
		}
		apis++
		found := false
		for _, s := range ix.services {
			found = found || selects(&metav1.LabelSelector{MatchLabels: s.Spec.Selector}, d.Spec.Template.Labels)
		}
		if !found {
			p.add("Deployment/"+d.Name, "runs `lms serve` but no Service selects its pods")
		}
	}
	if apis == 0 {
		p.add("manifests", "no Deployment runs `lms serve` (args [serve])")
	}
	for _, s := range ix.services {
		where := "Service/" + s.Name
		var pods []*appsv1.Deployment
		for _, d := range ix.deployments {
			if selects(&metav1.LabelSelector{MatchLabels: s.Spec.Selector}, d.Spec.Template.Labels) {
				pods = append(pods, d)
			}
		}
		if len(pods) == 0 {
			p.add(where, "selects no Deployment's pods")
			continue
		}
		for _, sp := range s.Spec.Ports {
			target := sp.TargetPort
			if target.Type == intstr.Int && target.IntVal == 0 {
				target = intstr.FromInt32(sp.Port)
			}
			for _, d := range pods {
				if !slices.ContainsFunc(d.Spec.Template.Spec.Containers, func(c corev1.Container) bool { return declaresPort(c, target) }) {
					p.add(where, "port %s targets %s, which Deployment/%s's containers do not declare", sp.Name, target.String(), d.Name)
				}
			}
		}
	}
}

// checkIngresses: HTTPS for every host, to Services and ports that exist.
func checkIngresses(ix *index, p *problems) {
	for _, in := range ix.ingresses {
		where := "Ingress/" + in.Name
		if in.Spec.IngressClassName == nil || *in.Spec.IngressClassName == "" {
			p.add(where, "has no ingressClassName")
		}
		if len(in.Spec.TLS) == 0 {
			p.add(where, "has no TLS")
		}
		tlsHosts := map[string]bool{}
		for _, t := range in.Spec.TLS {
			if t.SecretName == "" {
				p.add(where, "TLS for %v names no secretName", t.Hosts)
			}
			for _, h := range t.Hosts {
				tlsHosts[h] = true
			}
		}
		for _, r := range in.Spec.Rules {
			if r.Host == "" {
				p.add(where, "has a rule without host: it would answer for any name, without a certificate")
			} else if !tlsHosts[r.Host] {
				p.add(where, "host %s is not covered by TLS", r.Host)
			}
			if r.HTTP == nil {
				continue
			}
			for _, path := range r.HTTP.Paths {
				checkBackend(ix, where, path.Backend, p)
			}
		}
		if in.Spec.DefaultBackend != nil {
			checkBackend(ix, where, *in.Spec.DefaultBackend, p)
		}
	}
}

func checkBackend(ix *index, where string, b networkingv1.IngressBackend, p *problems) {
	if b.Service == nil {
		p.add(where, "has a backend that is not a Service")
		return
	}
	for _, s := range ix.services {
		if s.Name != b.Service.Name {
			continue
		}
		for _, sp := range s.Spec.Ports {
			if (b.Service.Port.Name != "" && sp.Name == b.Service.Port.Name) || (b.Service.Port.Number != 0 && sp.Port == b.Service.Port.Number) {
				return
			}
		}
		p.add(where, "backend Service %s has no port %s%d", s.Name, b.Service.Port.Name, b.Service.Port.Number)
		return
	}
	p.add(where, "backend Service %s is not in the manifests", b.Service.Name)
}

// placeholderNets are documentation ranges (RFC 5737) the base uses until
// an overlay sets the region's real ones.
var placeholderNets = []string{"192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"}

// checkNetworkPolicies: a default deny, and allowances that each name a
// peer and (for egress) ports.
func checkNetworkPolicies(ix *index, p *problems) {
	deny := false
	for _, np := range ix.netpols {
		where := "NetworkPolicy/" + np.Name
		s := np.Spec
		empty := len(s.PodSelector.MatchLabels) == 0 && len(s.PodSelector.MatchExpressions) == 0
		types := map[networkingv1.PolicyType]bool{}
		for _, t := range s.PolicyTypes {
			types[t] = true
		}
		if empty && types[networkingv1.PolicyTypeIngress] && types[networkingv1.PolicyTypeEgress] && len(s.Ingress) == 0 && len(s.Egress) == 0 {
			deny = true
			continue
		}
		// cert-manager's HTTP-01 solver pods are made at run time, not by
		// these manifests: a policy for them selects none of ours by design.
		acme := s.PodSelector.MatchLabels["acme.cert-manager.io/http01-solver"] == "true"
		if !acme && !slices.ContainsFunc(ix.objs, func(o object) bool { return podsOf(o) != nil && selects(&s.PodSelector, podsOf(o)) }) {
			p.add(where, "selects none of our pods")
		}
		for _, r := range s.Ingress {
			if len(r.From) == 0 {
				p.add(where, "allows ingress from anywhere: name the peers")
			}
			checkPeers(where, r.From, p)
		}
		for _, r := range s.Egress {
			if len(r.To) == 0 {
				p.add(where, "allows egress to anywhere: name the peers")
			}
			if len(r.Ports) == 0 {
				p.add(where, "allows egress on every port: name the ports")
			}
			checkPeers(where, r.To, p)
		}
	}
	if !deny {
		p.add("manifests", "no default-deny NetworkPolicy (podSelector {}, policyTypes [Ingress, Egress], no rules)")
	}
}

func checkPeers(where string, peers []networkingv1.NetworkPolicyPeer, p *problems) {
	for _, peer := range peers {
		if peer.IPBlock == nil {
			continue
		}
		_, n, err := net.ParseCIDR(peer.IPBlock.CIDR)
		if err != nil {
			p.add(where, "ipBlock %q is not a CIDR", peer.IPBlock.CIDR)
			continue
		}
		for _, ph := range placeholderNets {
			if _, pn, _ := net.ParseCIDR(ph); pn.Contains(n.IP) {
				p.add(where, "ipBlock %s is the base's placeholder: set the region's range in the overlay", peer.IPBlock.CIDR)
			}
		}
	}
}

// podsOf is the pod labels of a workload, nil for other objects.
func podsOf(o object) map[string]string {
	switch v := o.Value.(type) {
	case *appsv1.Deployment:
		return v.Spec.Template.Labels
	case *batchv1.Job:
		return v.Spec.Template.Labels
	}
	return nil
}
