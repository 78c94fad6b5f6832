"""Plan and apply: live read, diff, the Plan value object, ordering, safety, apply, journal."""
