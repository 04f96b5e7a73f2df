package harness

import (
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"
)

// Position is where Record starts reading each shard.
type Position struct {
	kind types.ShardIteratorType
	at   time.Time
}

// TrimHorizon starts at the oldest record each shard keeps.
func TrimHorizon() Position { return Position{kind: types.ShardIteratorTypeTrimHorizon} }

// Latest starts after the newest record of each open shard: only records put from then on are
// recorded.
func Latest() Position { return Position{kind: types.ShardIteratorTypeLatest} }

// AtTimestamp starts at the first record of each shard that arrived at or after t.
func AtTimestamp(t time.Time) Position {
	return Position{kind: types.ShardIteratorTypeAtTimestamp, at: t}
}

// String names the position as ParsePosition reads it.
func (p Position) String() string {
	switch p.kind {
	case types.ShardIteratorTypeLatest:
		return "latest"
	case types.ShardIteratorTypeAtTimestamp:
		return p.at.UTC().Format(time.RFC3339Nano)
	}
	return "trim-horizon"
}

// ParsePosition reads a position: "trim-horizon", "latest", an RFC 3339 time
// ("2025-11-25T07:00:00Z"), or a negative duration before now ("-2h" for two hours ago).
func ParsePosition(s string, now time.Time) (Position, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "trim-horizon", "trim_horizon", "":
		return TrimHorizon(), nil
	case "latest":
		return Latest(), nil
	}
	if strings.HasPrefix(s, "-") {
		d, err := time.ParseDuration(s[1:])
		if err != nil {
			return Position{}, fmt.Errorf("position %q: %w", s, err)
		}
		return AtTimestamp(now.Add(-d)), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return Position{}, fmt.Errorf("position %q: want trim-horizon, latest, an RFC 3339 time or a duration ago like -2h", s)
	}
	return AtTimestamp(t), nil
}
