package c

func X() int { return "no" }
