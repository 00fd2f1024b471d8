"""Learning from labelled matches: features, the learned ranker and text model, training, cards."""
