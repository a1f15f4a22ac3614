"""Word lists for pseudonymisation: Swedish first names, surname endings,
and the organisations and places that are kept by default.

The first names are written for codingkit from general knowledge of common
Swedish given names (the most frequent names of men and women living in
Sweden, of several generations, plus common names of Swedes born abroad);
no package with a maintained, clearly licensed Swedish name list could be
installed here. The list is deliberately modest: names it lacks are still
found when they are speakers, in a ``--pseudonymize-list`` file, or in a
full name with a surname of a common Swedish shape.
"""

from __future__ import annotations

import re

FIRST_NAMES = frozenset("""
Adam Adrian Agnes Ahmad Ahmed Albin Alexander Alexandra Alfred Ali Alice Alma Alva Amanda
Amir Anders Andreas Anette Angelica Anita Ann Anna Anne Anneli Annika Anton Arne Arvid Astrid
Axel Barbro Bengt Berit Birgitta Björn Bo Britt Camilla Carina Carin Carl Caroline Cecilia
Charlotte Christer Christian Christina Christoffer Daniel David Dennis Ebba Edvin Elias Elin
Elisabet Elisabeth Ella Ellen Elsa Emelie Emil Emilia Emma Erik Eva Fatima Felix Filip Frida
Fredrik Gabriel Gun Gunilla Gunnar Gustav Gustaf Göran Hampus Hanna Hannah Hans Harald Helen
Helena Henrik Hugo Ida Ingrid Inger Isabelle Isak Jakob Jacob Jan Jenny Jens Jesper Jessica
Joakim Johan Johanna Johannes John Jonas Jonathan Josefin Josefine Julia Jörgen Kajsa Karin
Karl Katarina Kenneth Kerstin Kim Kjell Klara Kristina Kristoffer Lars Leif Lena Lennart Leo
Linda Linnea Linnéa Lisa Lotta Louise Lovisa Lucas Ludvig Madeleine Magnus Maja Malin Marcus
Margareta Maria Marianne Marie Markus Martin Mats Matilda Mattias Max Mikael Michael Mohammad
Mohammed Moa Monica Monika Nils Nina Noah Nora Olle Olof Oliver Olivia Oscar Oskar Patrik
Per Peter Petra Pia Pontus Rasmus Rebecka Robert Robin Roger Rolf Ronja Rut Sandra Sanna
Sara Sarah Sebastian Siv Simon Sofia Sofie Stefan Stina Sten Susanne Svante Sven Tina Tobias
Tom Tomas Thomas Tove Ulf Ulla Ulrika Valter Vera Viktor Viktoria Wilma William Yvonne Åsa
Åke Ebbe Linn Tilde Tuva Signe Selma Saga Liam Omar Hassan Hussein Yusuf Zeynep Leila Layla
Mehmet Ivan Anja Elin Tiina Jukka Pekka Mirja Dragan Milan Goran Ana Sanja Johnny Leon
""".split())

#: Endings of common Swedish surnames (Sjöberg, Ekström, Lindqvist, Nyström,
#: Ekdahl, Åkesson, ...): an unknown capitalised word with one of these is a
#: surname when it follows a first name, or stands alone mid-sentence.
SURNAME_RE = re.compile(
    r"(?:s?son|sen|ström|strand|berg|bergh|gren|qvist|quist|kvist|lund|holm|dahl|dal|sjö"
    r"|man|mark|lind|blad|bäck|näs|ås|fors|stedt|feldt|felt|hed|hult|lid|ling|bom|ius|ell|ander|ér|én"
    r"|borg|ek|gård|hag|ros|skog|vall|sten)$")

#: Kept by default: public organisations, and places (in running text a place
#: name is kept even when a speaker has it as surname, e.g. "Lund").
KEEP_DEFAULT = (
    "Region Östergötland", "Region Skåne", "Region Stockholm", "Region Uppsala",
    "Västra Götalandsregionen", "Vinnova", "Upphandlingsmyndigheten", "Kammarkollegiet",
    "Konkurrensverket", "Socialstyrelsen", "Tillväxtverket", "Försäkringskassan",
    "Sveriges Kommuner och Regioner", "SKR", "Vetenskapsrådet", "Forte", "EU",
    "Europeiska unionen", "Inera", "E-hälsomyndigheten", "Riksdagen", "Regeringen",
    "Innovationsupphandling Syd", "Linköpings universitet", "Lunds universitet",
    "Sverige", "Skåne", "Östergötland", "Stockholm", "Göteborg", "Malmö", "Uppsala",
    "Linköping", "Norrköping", "Lund", "Ystad", "Kristianstad", "Helsingborg", "Hässleholm",
    "Trelleborg", "Eslöv", "Motala", "Mjölby", "Finspång", "Vadstena", "Söderköping",
    "Mjärdevi", "Örebro", "Västerås", "Umeå", "Luleå", "Jönköping", "Växjö", "Kalmar",
    "Karlstad", "Gävle", "Sundsvall", "Borås", "Halmstad", "Norden", "Danmark", "Norge",
    "Finland", "Tyskland", "Europa", "Köpenhamn", "Bryssel",
    "Blekinge", "Halland", "Småland", "Västergötland", "Östergötland", "Norrland",
    "Svealand", "Götaland", "Mellansverige", "Gotland", "Öland", "Värmland", "Dalarna",
    "Uppland", "Södermanland", "Närke", "Västmanland", "Jämtland", "Lappland",
    "Norrbotten", "Västerbotten", "Ångermanland", "Medelpad", "Hälsingland", "Gästrikland",
    "Härjedalen", "Dalsland", "Bohuslän",
)

#: Speaker labels and header values that name a role, not a person.
ROLE_WORDS = frozenset(
    {"i", "ip", "r", "int", "intervjuare", "intervjuaren", "intervjuperson", "respondent",
     "respondenten", "svarande", "informant", "informanten", "moderator", "interviewer",
     "interviewee", "deltagare", "talare", "speaker", "fråga", "svar", "person", "okänd",
     "ohörbart", "intervjuer", "projektledare", "upphandlare", "leverantör"})

#: First names that are also common Swedish words ("Per", "Bo", "Hans",
#: "Klara"): at the start of a sentence they are a name only before a
#: surname or when they are a known person's name.
WORD_NAMES = frozenset(
    {"Per", "Bo", "Tom", "Hans", "Klara", "Lena", "Kim", "Sten", "Björn", "Rut", "Mats",
     "Max", "Saga", "Sanna", "Tove", "Ana", "Vera", "Milan", "Gun", "Jan", "Inger", "Leo",
     "Linn", "Moa", "Siv", "Olle", "Oliver", "Mark", "Ebbe", "Tilde"})
