"""Keys and enrollment, the office's device register and import gates, and the sealed or signed
hand-overs of enrolled laptops and the office."""
