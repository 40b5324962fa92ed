"""The ground floor, standard library only: input errors, all-or-nothing writes, folder locks, the log tee.
conversion/ and every tokcls package build on it; it imports nothing of theirs (checked by lint-imports)."""
