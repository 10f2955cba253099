"""A local imitation of the doctor Q&A site: deterministic content, three markup families,
a day-by-day timeline, fault injection and the ground-truth records of every question page."""
