package main

import "context"

func runVerify(ctx context.Context, e *env, args []string) int {
	return failf(e, "verify", "not implemented yet")
}
