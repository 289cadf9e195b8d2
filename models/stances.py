"""The ten stances a country can take, with the CAMEO and PLOVER codes they map to.

Keeping the external codes beside our stance lets researchers join migtrack rows with GDELT (CAMEO)
or POLECAT (PLOVER) data. Codes are the nearest CAMEO 1.1b3 code (family level where no leaf
fits) and PLOVER event type; our stances are finer than either, so two stances can share a code.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stance:
    name: str
    description: str
    cameo: str
    plover: str


STANCES: dict[str, Stance] = {
    s.name: s
    for s in (
        Stance("accept", "takes in deportees, returnees or flights", "080", "CONCEDE"),
        Stance("refuse", "declines, rejects, turns back or bars", "120", "REJECT"),
        Stance("agree", "reaches or signs an agreement, deal or arrangement", "057", "AGREE"),
        Stance("propose", "puts forward a plan, offer or idea", "030", "CONSULT"),
        Stance("negotiate", "is in talks or seeks cooperation", "046", "CONSULT"),
        Stance("suspend", "halts an arrangement in force", "160", "SANCTION"),
        Stance("resume", "restarts a halted arrangement", "060", "COOPERATE"),
        Stance("consider", "is weighing an option", "030", "CONSULT"),
        Stance("demand", "asks the other side for something", "100", "DEMAND"),
        Stance("threaten", "threatens measures", "130", "THREATEN"),
    )
}
