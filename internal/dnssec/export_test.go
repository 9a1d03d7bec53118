package dnssec

// KeyMatches exposes keyMatches to the external tests.
var KeyMatches = keyMatches
