// Package flight is the one home of single flight: concurrent askers of
// one question wait for one answer instead of each asking.
//
// A Call is one answer in the making: its leader computes the value and
// Finishes it; everyone else Waits for it under their own context, so an
// asker that gives up leaves without disturbing the others. A Group keys
// calls by question: Join says whether the caller leads a new call or
// follows one already there, and Forget drops a call so that the next
// asker starts afresh.
//
// The package holds no policy. Whoever leads decides which context the
// work runs under (its own, or a detached one), how long a finished call
// stays joinable (Forget at once, after a TTL, or never), and whether
// followers get the value itself or a copy of it:
//
//	c, leader := g.Join(key, 0)
//	if leader {
//		v := compute(ctx)
//		g.Forget(key, c) // nothing kept once the call ends
//		c.Finish(v)
//		return v, nil
//	}
//	return c.Wait(ctx)
package flight
