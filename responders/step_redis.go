package responders

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

func init() { Register("redis", func() Step { return new(RedisStep) }) }

// RedisStep sends one command to Redis (the playbook's quick fix 3 is
// ["FLUSHALL"]) and captures the reply.
type RedisStep struct {
	Command []string `yaml:"command" required:"true"`
}

// Validate checks there is a command.
func (s *RedisStep) Validate() error {
	if len(s.Command) == 0 || s.Command[0] == "" {
		return errors.New("command: want a list like [\"FLUSHALL\"]")
	}
	return nil
}

// Run sends the command.
func (s *RedisStep) Run(ctx context.Context, rt *Runtime) (bool, string, error) {
	if rt.Env == nil || rt.Env.Redis == nil {
		return false, "", errors.New("run redis: no stack")
	}
	args := make([]any, len(s.Command))
	for i, a := range s.Command {
		args[i] = a
	}
	v, err := rt.Env.Redis.Do(ctx, args...).Result()
	if errors.Is(err, redis.Nil) {
		return false, "(nil)", nil
	}
	if err != nil {
		return false, "", fmt.Errorf("run redis %s: %w", s.Command[0], err)
	}
	return false, fmt.Sprint(v), nil
}
