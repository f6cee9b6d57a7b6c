"""Gait kinematics: view, events, angles, cycles, spatiotemporal metrics, quality."""
