package stack

import (
	"context"
	"fmt"
	"strings"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// StandIn is an image `make images` builds on a host that cannot pull
// (images/README.md), with the variable that points firedrill at it.
type StandIn struct{ Var, Image string }

// StandIns are the stand-ins, as the Makefile exports them (a test keeps the
// two in step).
var StandIns = []StandIn{
	{"FIREDRILL_POSTGRES_IMAGE", "firedrill/postgres:15"},
	{"FIREDRILL_REDIS_IMAGE", "firedrill/redis:7"},
	{"FIREDRILL_POSTGRES_EXPORTER_IMAGE", "firedrill/postgres-exporter:0.11"},
	{"FIREDRILL_REDIS_EXPORTER_IMAGE", "firedrill/redis-exporter:1.45"},
	{"FIREDRILL_APP_IMAGE", "firedrill/demoapp:dev"},
}

// LocalStandIns are the stand-ins this host's Docker daemon has.
func LocalStandIns(ctx context.Context) ([]StandIn, error) {
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return nil, fmt.Errorf("docker client: %w", err)
	}
	defer cli.Close()
	return localStandIns(ctx, cli)
}

func localStandIns(ctx context.Context, cli *testcontainers.DockerClient) ([]StandIn, error) {
	res, err := cli.ImageList(ctx, client.ImageListOptions{Filters: make(client.Filters).Add("reference", "firedrill/*")})
	if err != nil {
		return nil, fmt.Errorf("list images: %w", err)
	}
	have := map[string]bool{}
	for _, img := range res.Items {
		for _, tag := range img.RepoTags {
			have[tag] = true
		}
	}
	var out []StandIn
	for _, s := range StandIns {
		if have[s.Image] {
			out = append(out, s)
		}
	}
	return out, nil
}

// standInAdvice says what to do about an image that cannot be had: point
// at the stand-ins this host has, else build them.
func standInAdvice(have []StandIn) string {
	if len(have) == 0 {
		return "on a host without a registry run `make images` in firedrill's repository and set FIREDRILL_*_IMAGE, see images/README.md"
	}
	vars := make([]string, len(have))
	for i, s := range have {
		vars[i] = s.Var + "=" + s.Image
	}
	return "this host has the stand-ins `make images` builds (docker images firedrill/*); use them with: export " + strings.Join(vars, " ")
}
