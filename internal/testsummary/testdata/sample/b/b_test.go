package b

import "testing"

func TestNoDocker(t *testing.T) {
	t.Skip("stacktest: unavailable: provider docker: stack provider unavailable: docker: no daemon answers (Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?); install Docker")
}

func TestNoDockerEither(t *testing.T) {
	t.Skip("stacktest: unavailable: provider docker: stack provider unavailable: docker: no daemon answers (other detail)")
}

func TestOtherSkip(t *testing.T) { t.Skip("needs psql") }

func TestFails(t *testing.T) {
	t.Log("before")
	t.Run("ok", func(t *testing.T) {})
	t.Run("bad", func(t *testing.T) { t.Error("boom") })
}

func TestRanAndFailed(t *testing.T) {
	t.Log("stacktest: provider docker")
	t.Fatal("drill failed")
}
