//! Tech Radar (stub; see the following commit).
