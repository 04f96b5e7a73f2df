package consumer

// Die makes c behave as if its process died: it stops at once, its handlers' contexts are
// cancelled, and it writes nothing more to the lease store, so its leases expire.
func Die(c *Consumer) { c.die() }
