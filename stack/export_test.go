package stack

import (
	"context"
	"os"

	"github.com/testcontainers/testcontainers-go"
)

// EnvOf is an Env of run with the given services, as a bug could hand a
// fault one: the blast-radius tests give it handles on things the run did
// not start.
func EnvOf(run string, services map[string]Service) *Env {
	e := &Env{RunID: run, Provider: "test"}
	for name, s := range services {
		if e.services == nil {
			e.services = map[string]Service{}
		}
		e.services[name] = s
	}
	return e
}

// DockerServiceOf is run's handle on container c, whoever started it.
func DockerServiceOf(name, run string, c testcontainers.Container, cli *testcontainers.DockerClient) Service {
	return &dockerService{name: name, run: run, c: c, cli: cli, ready: func(context.Context) error { return nil }}
}

// ProcServiceOf is run's handle on process p, whoever started it; done
// closes when p exits.
func ProcServiceOf(name, run string, p *os.Process, done chan struct{}) Service {
	return &procService{name: name, run: run, proc: p, done: done, stopSignal: 15, ready: func(context.Context) error { return nil }}
}
