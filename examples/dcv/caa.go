package main

import "context"

func runCAA(ctx context.Context, e *env, args []string) int {
	return failf(e, "caa", "not implemented yet")
}
