"""One intake for every channel: collection points, participant identity, admission, the durable writer."""
