// Package yamlerr turns yaml.v3's decoding messages into sentences a person
// reads: each at its line, naming the key it is about (targets.mttd), with
// "cannot unmarshal !!str `abc` into int" said as `"abc" is not a whole
// number`. The config and playbook loaders share it, so a file's every
// problem reads the same way.
package yamlerr
