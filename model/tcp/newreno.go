package tcp

// newRenoAlgorithm is NewReno (RFC 6582): Reno's window (RFC 5681), with a
// fast recovery that stays until every segment outstanding at the loss is
// acknowledged, resending the next hole on each partial ACK, and that is
// not re-entered for losses from before a timeout.
var newRenoAlgorithm = algorithm{
	name:     "newreno",
	doc:      "NewReno: Reno with partial-ACK handling in fast recovery (RFC 6582)",
	newCC:    newAIMD,
	recovery: recoveryNewReno,
}
