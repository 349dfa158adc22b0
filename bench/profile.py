"""Summarise a py-spy raw profile (`python -m bench --profile FILE`): `python -m bench.profile FILE [N]`.

Prints the N functions with the most samples on top of the stack (self) and
anywhere in it (total), as shares of all samples, so a profile can be read
in a terminal or quoted in a note.
"""

import sys
from collections import Counter


def summarise(path: str, top: int = 25) -> str:
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    samples = 0
    with open(path) as stacks:
        for line in stacks:
            stack, _, count_text = line.rstrip("\n").rpartition(" ")
            count = int(count_text)
            frames = [
                frame.split(" (")[0] + " (" + frame.split(" (")[1].split(":")[0].rsplit("/", 1)[-1] + ")"
                if " (" in frame
                else frame
                for frame in stack.split(";")
            ]
            samples += count
            own[frames[-1]] += count
            for frame in set(frames):
                total[frame] += count
    lines = [f"{samples} samples", "self:"]
    lines += [f"  {count / samples:6.1%}  {frame}" for frame, count in own.most_common(top)]
    lines.append("total:")
    lines += [f"  {count / samples:6.1%}  {frame}" for frame, count in total.most_common(top)]
    return "\n".join(lines)


if __name__ == "__main__":
    print(summarise(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 25))
