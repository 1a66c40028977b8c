"""Review: an HTML report of the pipeline's annotations, and a local app to correct them."""
