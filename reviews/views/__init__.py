"""评价与评审 pages: evaluators, the city's 初审 and recommendation, the experts' review."""
