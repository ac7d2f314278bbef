"""The promotion ladder (晋升制) of member groups: per sub-group rules (time in the sub-group, featured posts,
level, no sanctions lately) that a beat task evaluates, proposing each qualifier to the main group's owners
through forum.groups.services.promotion_propose. The rules read engagement's levels, so they live here and
call down into the forum."""
