package tcp

// tahoeAlgorithm is Tahoe (Jacobson 1988, "Congestion Avoidance and
// Control"; 4.3BSD-Tahoe): RFC 5681's window growth and fast retransmit,
// but no fast recovery: after a loss found by three duplicate ACKs it
// slow-starts again from one segment and resends everything from
// SND.UNA (go-back-N), as after a timeout.
var tahoeAlgorithm = algorithm{
	name:     "tahoe",
	doc:      "Tahoe: slow start, congestion avoidance, fast retransmit, restart from one segment (Jacobson 1988)",
	newCC:    newAIMD,
	recovery: recoveryGoBackN,
}
