"""The petition office's logic: deadlines (policy), the workflow of steps, the register and its
cache, statistics and repeat detection."""
