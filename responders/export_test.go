package responders

// VectorText is vectorText, for the external tests.
var VectorText = vectorText
