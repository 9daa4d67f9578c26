"""Recognising enrolled listeners, Qt-free: what an enrolment is (enrolment.py), where it is
kept (store.py), who a face is (matching.py) and who is listening (tracker.py). The
descriptors themselves come from the vision layer (vision/faceapi/descriptor.py)."""
