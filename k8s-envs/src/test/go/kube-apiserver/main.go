// Command kube-apiserver is the unmodified kube-apiserver of k8s.io/kubernetes, built through this
// wrapper module so that the k8s.io/* staging modules resolve to their published versions (the
// kubernetes module itself replaces them with ./staging paths, which do not exist in its module zip).
// Meshproof's k8s-envs tests start it on loopback against a local etcd; see TestApiServer.java.
package main

import (
	"os"
	_ "time/tzdata" // for timeZone support in CronJob

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	command := app.NewAPIServerCommand()
	code := cli.Run(command)
	os.Exit(code)
}
