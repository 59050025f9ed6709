"""A second chat generator, written apart from :mod:`moderator_kit.synth` on other assumptions.

The bundled sample's generator and the role rules were tuned together; this one is a check that the roles hold on
chats the rules were not fitted to. Its assumptions differ on purpose (``docs/metrics/people.md``, "Truth"):

- message volumes per person follow another spread (advocates write 4-9 messages, seekers 3-7, reposters 3-8);
- advocates mostly answer the agenda (3-6 questions) and advise one or two people directly;
- seekers ask for help and also answer one or two agenda questions;
- promoters vary their wording and link to their own site; recruiters only post jobs (no conversation);
- retweeters repost during the chat and thank someone once the next day (the follow-up window);
- spam repeats one text with a link.

The output is already in the project's message schema (:func:`moderator_kit.schema.conform`), with a chat config
and a truth table ``[session_id, handle, persona]`` (the persona behind each person's messages, one per person).

Examples
--------
>>> chat = generate_alt_chat(seed=3, sessions=1)
>>> sorted(chat.truth["persona"].unique())[:3]
['advocate', 'moderator', 'newcomer']
>>> chat.messages["kind"].is_in(["post", "reply", "repost"]).all()
True
"""

from moderator_kit.synth_alt.generate import AltChat, generate_alt_chat

__all__ = ["AltChat", "generate_alt_chat"]
