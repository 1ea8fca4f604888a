package cli

import (
	"net"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/reports"
	"github.com/firedrill/firedrill/stack"
	"github.com/firedrill/firedrill/stack/mocks"
)

// When the console's address is taken (another run, another program), a game day
// stops before its fault with exit 3, naming the address and the flag and
// variable that move it.
func TestConsoleAddressTakenExits3(t *testing.T) {
	chdirRoot(t)
	held, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer held.Close()
	addr := held.Addr().String()

	out := t.TempDir()
	for name, args := range map[string][]string{
		"flag":       {"--console-addr", addr},
		"older flag": {"--ack-addr", addr},
		"variable":   nil,
	} {
		t.Run(name, func(t *testing.T) {
			p := mocks.NewStack(t)
			p.EXPECT().Name().Return("mock")
			p.EXPECT().Start(mock.Anything, mock.Anything).
				Return(&stack.Env{RunID: "run-1", Provider: "mock", Config: config.Default().Stack}, nil).Once()
			code, stdout, errOut := runCLI(t, p, map[string]string{"FIREDRILL_CONSOLE_ADDR": addr},
				append([]string{"run", "internal/cli/testdata/gameday", "--provider", "docker", "--out", filepath.Join(out, name)}, args...)...)
			assert.Equal(t, ExitEnvironment, code, "stdout:\n%s\nstderr:\n%s", stdout, errOut)
			assert.Contains(t, errOut, "address taken: "+addr)
			assert.Contains(t, errOut, "--console-addr or FIREDRILL_CONSOLE_ADDR")
			assert.NotContains(t, errOut, "injected", "the drill stops before its fault")

			res, err := reports.ReadResultFile(filepath.Join(out, name, "result.json"))
			require.NoError(t, err)
			require.Len(t, res.Drills, 1)
			assert.Equal(t, reports.Errored, res.Drills[0].Status)
		})
	}
}
