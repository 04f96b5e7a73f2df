package esm

type checkpoints struct{}

func openCheckpoints(path string) (*checkpoints, error) { return &checkpoints{}, nil }
