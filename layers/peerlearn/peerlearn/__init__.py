"""PeerLearn's domain code, shared by every function through the layer."""
