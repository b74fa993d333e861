// The scheduler's logic lands here.
