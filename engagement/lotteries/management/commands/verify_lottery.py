"""manage.py verify_lottery ID: re-compute a lottery's draw from its public audit record with
Huoli's own huoli-draw-v1 implementation and check it against the database (the published
winners, the winners' entries, the frozen tickets). Prints OK, or each difference (exit status 1)."""

import json

from django.core.management.base import BaseCommand, CommandError

from engagement.lotteries import draw
from engagement.lotteries.models import Lottery, LotteryEntry
from engagement.lotteries.selectors import lottery_audit


class Command(BaseCommand):
    help = "Re-compute a lottery's huoli-draw-v1 draw and say OK or what differs."

    def add_arguments(self, parser):
        parser.add_argument("lottery_id", type=int)
        parser.add_argument("--json", action="store_true", help="Print the audit record instead of checking it.")

    def handle(self, *args, lottery_id, **options):
        lottery = Lottery.objects.filter(pk=lottery_id).first()
        if lottery is None:
            raise CommandError(f"There is no lottery {lottery_id}.")
        audit = lottery_audit(lottery=lottery)
        if options["json"]:
            self.stdout.write(json.dumps(audit, ensure_ascii=False, indent=2))
            return
        if lottery.state != Lottery.State.DRAWN:
            raise CommandError(f"Lottery {lottery_id} is {lottery.get_state_display()}: nothing to verify yet "
                               f"(seed commitment {lottery.seed_commitment}).")
        problems = draw.verify_audit(audit)
        ranked = list(LotteryEntry.objects.filter(lottery=lottery, win_rank__isnull=False).order_by("win_rank")
                      .values_list("ticket", flat=True))
        if ranked != list(lottery.winners):
            problems.append(f"the winners' entries in the database {ranked} differ from the published {lottery.winners}")
        if lottery.entry_count != len(audit["entries"]):
            problems.append(f"{lottery.entry_count} entries were numbered but {len(audit['entries'])} are listed")
        if problems:
            for problem in problems:
                self.stdout.write(f"DIFFERS: {problem}")
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS(
            f"OK: lottery {lottery.pk}: {len(lottery.winners)} winner(s) from {len(audit['entries'])} entries "
            f"re-computed with {draw.ALGORITHM}"))
