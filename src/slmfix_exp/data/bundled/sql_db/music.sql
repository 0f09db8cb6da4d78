BEGIN TRANSACTION;
CREATE TABLE artists (
  artist_id INTEGER PRIMARY KEY,
  name TEXT,
  country TEXT,
  genre TEXT,
  debut_year INTEGER
);
CREATE TABLE albums (
  album_id INTEGER PRIMARY KEY,
  title TEXT,
  artist_id INTEGER REFERENCES artists(artist_id),
  record_label TEXT,
  release_year INTEGER,
  sales INTEGER
);
CREATE TABLE songs (
  song_id INTEGER PRIMARY KEY,
  title TEXT,
  album_id INTEGER REFERENCES albums(album_id),
  language TEXT,
  duration INTEGER,
  plays INTEGER
);
INSERT INTO artists VALUES (1, 'The Quiet Storms', 'Japan', 'Jazz', 1989);
INSERT INTO artists VALUES (2, 'The Golden Orchards', 'Canada', 'Rock', 1998);
INSERT INTO artists VALUES (3, 'The Northern Gardens', 'UK', 'Jazz', 2001);
INSERT INTO artists VALUES (4, 'The Silver Storms', 'France', 'Hip Hop', 2014);
INSERT INTO artists VALUES (5, 'The Distant Towers', 'Brazil', 'Jazz', 2005);
INSERT INTO artists VALUES (6, 'The Silver Bridges', 'USA', 'Folk', 2002);
INSERT INTO artists VALUES (7, 'The Silver Lanterns', 'Germany', 'Rock', 1992);
INSERT INTO artists VALUES (8, 'The Broken Embers', 'Nigeria', 'Pop', 2000);
INSERT INTO artists VALUES (9, 'The Frozen Mirrors', 'Japan', 'Folk', 2012);
INSERT INTO artists VALUES (10, 'The Hidden Rivers', 'France', 'Jazz', 1991);
INSERT INTO artists VALUES (11, 'The Broken Islands', 'Nigeria', 'Hip Hop', 2019);
INSERT INTO artists VALUES (12, 'The Gentle Bridges', 'Canada', 'Pop', 2011);
INSERT INTO artists VALUES (13, 'The Quiet Canyons', 'Nigeria', 'Pop', 1979);
INSERT INTO artists VALUES (14, 'The Hollow Mirrors', 'Canada', 'Jazz', 1992);
INSERT INTO artists VALUES (15, 'The Hollow Gardens', 'France', 'Pop', 1976);
INSERT INTO artists VALUES (16, 'The Hidden Mirrors', 'Germany', 'Pop', 1978);
INSERT INTO artists VALUES (17, 'The Secret Bridges', 'UK', 'Electronic', 1970);
INSERT INTO artists VALUES (18, 'The Midnight Gardens', 'UK', 'Jazz', 2016);
INSERT INTO artists VALUES (19, 'The Secret Signals', 'UK', 'Rock', 1977);
INSERT INTO artists VALUES (20, 'The Distant Orchards', 'Japan', 'Pop', 2000);
INSERT INTO albums VALUES (1, 'Lucky Canyon', 11, 'Blue Note', 1991, 2981894);
INSERT INTO albums VALUES (2, 'Silver Compass', 5, 'Sunrise', 1973, 4394635);
INSERT INTO albums VALUES (3, 'Golden Garden', 8, 'Blue Note', 2004, 335034);
INSERT INTO albums VALUES (4, 'Midnight Voyage', 10, 'Atlas', 1974, 4601454);
INSERT INTO albums VALUES (5, 'Lucky Compass', 10, 'Atlas', 1990, 4978268);
INSERT INTO albums VALUES (6, 'Scarlet Signal', 10, 'Northern', 2013, 2735204);
INSERT INTO albums VALUES (7, 'Golden Mirror', 7, 'Sunrise', 2018, 487746);
INSERT INTO albums VALUES (8, 'Broken Compass', 2, 'Sunrise', 1979, 4018647);
INSERT INTO albums VALUES (9, 'Wild Forest', 12, 'Atlas', 2003, 3768317);
INSERT INTO albums VALUES (10, 'Gentle Echo', 6, 'Atlas', 1989, 3208758);
INSERT INTO albums VALUES (11, 'Lucky Island', 6, 'Blue Note', 1988, 955578);
INSERT INTO albums VALUES (12, 'Silent Forest', 5, 'Northern', 1975, 4299157);
INSERT INTO albums VALUES (13, 'Electric Bridge', 16, 'Northern', 1974, 999768);
INSERT INTO albums VALUES (14, 'Rapid Mirror', 11, 'Sunrise', 1981, 2042124);
INSERT INTO albums VALUES (15, 'Electric Echo', 16, 'Sunrise', 1986, 1200481);
INSERT INTO albums VALUES (16, 'Scarlet Falcon', 6, 'Sunrise', 2003, 2654786);
INSERT INTO albums VALUES (17, 'Silent Compass', 8, 'Sunrise', 1970, 4060768);
INSERT INTO albums VALUES (18, 'Rapid Harbor', 8, 'Atlas', 1974, 2617391);
INSERT INTO albums VALUES (19, 'Midnight Island', 5, 'Northern', 1989, 6400);
INSERT INTO albums VALUES (20, 'Frozen Shadow', 16, 'Northern', 1973, 129690);
INSERT INTO albums VALUES (21, 'Hollow Garden', 7, 'Northern', 2016, 4816576);
INSERT INTO albums VALUES (22, 'Golden River', 16, 'Northern', 1982, 3075027);
INSERT INTO albums VALUES (23, 'Frozen Lantern', 10, 'Sunrise', 2021, 3313456);
INSERT INTO albums VALUES (24, 'Silent Shadow', 7, 'Northern', 1997, 4693258);
INSERT INTO albums VALUES (25, 'Hidden Canyon', 10, 'Northern', 2002, 2827405);
INSERT INTO albums VALUES (26, 'Secret Shadow', 16, 'Atlas', 1979, 1341269);
INSERT INTO albums VALUES (27, 'Scarlet Island', 14, 'Blue Note', 2022, 1584662);
INSERT INTO albums VALUES (28, 'Broken Lantern', 12, 'Blue Note', 1993, 2104237);
INSERT INTO albums VALUES (29, 'Lucky Tower', 5, 'Northern', 2003, 939906);
INSERT INTO albums VALUES (30, 'Quiet Compass', 4, 'Blue Note', 1996, 4566288);
INSERT INTO albums VALUES (31, 'Distant Shadow', 13, 'Northern', 1970, 4740830);
INSERT INTO albums VALUES (32, 'Broken Tower', 5, 'Atlas', 1976, 520331);
INSERT INTO albums VALUES (33, 'Distant Mirror', 9, 'Northern', 2006, 3498059);
INSERT INTO albums VALUES (34, 'Rapid River', 2, 'Northern', 1981, 3901158);
INSERT INTO albums VALUES (35, 'Frozen Voyage', 13, 'Blue Note', 1995, 2301008);
INSERT INTO albums VALUES (36, 'Iron Mirror', 15, 'Atlas', 1982, 626796);
INSERT INTO albums VALUES (37, 'Broken Signal', 14, 'Northern', 1977, 2469630);
INSERT INTO albums VALUES (38, 'Rapid Signal', 10, 'Northern', 1978, 3998);
INSERT INTO albums VALUES (39, 'Golden Falcon', 9, 'Sunrise', 1993, 969492);
INSERT INTO albums VALUES (40, 'Crimson Voyage', 16, 'Northern', 2017, 3462644);
INSERT INTO songs VALUES (1, 'Voyage of Lantern', 14, 'French', 352, 1663944);
INSERT INTO songs VALUES (2, 'Signal of Lantern', 22, 'French', 156, 884309);
INSERT INTO songs VALUES (3, 'Island of Falcon', 29, 'Spanish', 246, 569701);
INSERT INTO songs VALUES (4, 'Orchard of Mirror', 11, 'English', 323, 73746);
INSERT INTO songs VALUES (5, 'Forest of River', 5, 'French', 320, 1613484);
INSERT INTO songs VALUES (6, 'Falcon of Tower', 31, 'French', 151, 1637240);
INSERT INTO songs VALUES (7, 'Storm of Bridge', 17, 'Korean', 193, 140799);
INSERT INTO songs VALUES (8, 'Echo of Meadow', 29, 'French', 133, 1743514);
INSERT INTO songs VALUES (9, 'Echo of Harbor', 22, 'French', 147, 835312);
INSERT INTO songs VALUES (10, 'Falcon of Forest', 23, 'French', 391, 922925);
INSERT INTO songs VALUES (11, 'Forest of Harbor', 18, 'Spanish', 231, 842427);
INSERT INTO songs VALUES (12, 'Compass of Garden', 31, 'Korean', 168, 1071579);
INSERT INTO songs VALUES (13, 'River of Ember', 6, 'Korean', 149, 348238);
INSERT INTO songs VALUES (14, 'River of Compass', 10, 'Spanish', 268, 1463626);
INSERT INTO songs VALUES (15, 'Ember of Forest', 14, 'Korean', 323, 794096);
INSERT INTO songs VALUES (16, 'Voyage of Signal', 29, 'English', 453, 489347);
INSERT INTO songs VALUES (17, 'Storm of Forest', 21, 'French', 200, 137800);
INSERT INTO songs VALUES (18, 'Forest of Garden', 11, 'English', 190, 1076418);
INSERT INTO songs VALUES (19, 'Canyon of Forest', 15, 'English', 286, 1967664);
INSERT INTO songs VALUES (20, 'River of Storm', 20, 'English', 262, 321950);
INSERT INTO songs VALUES (21, 'Ember of Falcon', 11, 'English', 404, 1792962);
INSERT INTO songs VALUES (22, 'Garden of Storm', 30, 'English', 361, 753465);
INSERT INTO songs VALUES (23, 'Shadow of Mirror', 15, 'French', 378, 1973153);
INSERT INTO songs VALUES (24, 'Signal of Storm', 16, 'Spanish', 367, 1429136);
INSERT INTO songs VALUES (25, 'Bridge of Compass', 30, 'Korean', 255, 227048);
INSERT INTO songs VALUES (26, 'Falcon of Storm', 12, 'Spanish', 262, 1272431);
INSERT INTO songs VALUES (27, 'Lantern of Bridge', 27, 'Korean', 147, 1789305);
INSERT INTO songs VALUES (28, 'Tower of Shadow', 1, 'Spanish', 360, 1989765);
INSERT INTO songs VALUES (29, 'Orchard of River', 22, 'Spanish', 405, 941443);
INSERT INTO songs VALUES (30, 'Compass of Voyage', 10, 'English', 350, 39939);
INSERT INTO songs VALUES (31, 'Canyon of Compass', 11, 'Spanish', 162, 1970218);
INSERT INTO songs VALUES (32, 'Island of Lantern', 6, 'English', 299, 923548);
INSERT INTO songs VALUES (33, 'Garden of Harbor', 8, 'Korean', 248, 1084355);
INSERT INTO songs VALUES (34, 'Meadow of Mirror', 5, 'French', 277, 458231);
INSERT INTO songs VALUES (35, 'Garden of Orchard', 9, 'English', 185, 660625);
INSERT INTO songs VALUES (36, 'Orchard of Signal', 4, 'Korean', 396, 182179);
INSERT INTO songs VALUES (37, 'Forest of Bridge', 23, 'English', 428, 1926117);
INSERT INTO songs VALUES (38, 'Falcon of Lantern', 14, 'Korean', 180, 1150926);
INSERT INTO songs VALUES (39, 'Falcon of Orchard', 11, 'French', 377, 894603);
INSERT INTO songs VALUES (40, 'Island of Bridge', 15, 'Korean', 305, 1160378);
INSERT INTO songs VALUES (41, 'Storm of Compass', 32, 'Korean', 191, 606263);
INSERT INTO songs VALUES (42, 'Echo of River', 10, 'French', 360, 1699030);
INSERT INTO songs VALUES (43, 'Signal of Meadow', 16, 'Spanish', 264, 1910951);
INSERT INTO songs VALUES (44, 'Lantern of Voyage', 26, 'English', 275, 1850322);
INSERT INTO songs VALUES (45, 'Lantern of Forest', 2, 'French', 394, 1664303);
INSERT INTO songs VALUES (46, 'Canyon of Ember', 25, 'Spanish', 229, 647411);
INSERT INTO songs VALUES (47, 'Tower of Compass', 26, 'English', 253, 794651);
INSERT INTO songs VALUES (48, 'Bridge of Harbor', 24, 'Spanish', 188, 60587);
INSERT INTO songs VALUES (49, 'Garden of Mirror', 23, 'English', 430, 1747492);
INSERT INTO songs VALUES (50, 'Compass of Signal', 32, 'French', 406, 339535);
INSERT INTO songs VALUES (51, 'Island of Compass', 10, 'French', 251, 645481);
INSERT INTO songs VALUES (52, 'Island of Harbor', 30, 'English', 208, 249);
INSERT INTO songs VALUES (53, 'Echo of Mirror', 22, 'French', 149, 935221);
INSERT INTO songs VALUES (54, 'Harbor of Ember', 8, 'Spanish', 181, 564107);
INSERT INTO songs VALUES (55, 'Meadow of Harbor', 30, 'French', 462, 523941);
INSERT INTO songs VALUES (56, 'Echo of Forest', 18, 'English', 315, 1480010);
INSERT INTO songs VALUES (57, 'Ember of Meadow', 18, 'French', 184, 1928909);
INSERT INTO songs VALUES (58, 'Lantern of River', 14, 'Spanish', 256, 1269015);
INSERT INTO songs VALUES (59, 'Mirror of Canyon', 20, 'English', 454, 37991);
INSERT INTO songs VALUES (60, 'Tower of Voyage', 14, 'English', 174, 1159560);
INSERT INTO songs VALUES (61, 'Forest of Mirror', 20, 'English', 458, 22944);
INSERT INTO songs VALUES (62, 'Compass of Shadow', 13, 'Korean', 408, 1396315);
INSERT INTO songs VALUES (63, 'Compass of Lantern', 10, 'Spanish', 447, 1378839);
INSERT INTO songs VALUES (64, 'Harbor of Meadow', 31, 'English', 452, 1044184);
INSERT INTO songs VALUES (65, 'Storm of Voyage', 4, 'Korean', 408, 754010);
INSERT INTO songs VALUES (66, 'Island of Forest', 17, 'English', 223, 825481);
INSERT INTO songs VALUES (67, 'Storm of Island', 1, 'Korean', 281, 166604);
INSERT INTO songs VALUES (68, 'Compass of Canyon', 20, 'Spanish', 242, 1689551);
INSERT INTO songs VALUES (69, 'Meadow of Shadow', 24, 'Korean', 423, 1986479);
INSERT INTO songs VALUES (70, 'Harbor of Falcon', 8, 'Korean', 280, 1082318);
INSERT INTO songs VALUES (71, 'Voyage of Shadow', 1, 'Spanish', 323, 1468052);
INSERT INTO songs VALUES (72, 'Compass of Meadow', 3, 'Korean', 206, 82443);
INSERT INTO songs VALUES (73, 'Voyage of Echo', 4, 'Spanish', 278, 1561558);
INSERT INTO songs VALUES (74, 'Orchard of Harbor', 31, 'English', 140, 753021);
INSERT INTO songs VALUES (75, 'Canyon of Storm', 28, 'English', 420, 1173106);
INSERT INTO songs VALUES (76, 'River of Lantern', 25, 'English', 379, 1302465);
INSERT INTO songs VALUES (77, 'Falcon of Island', 9, 'English', 159, 1774299);
INSERT INTO songs VALUES (78, 'Falcon of Bridge', 9, 'English', 261, 1849605);
INSERT INTO songs VALUES (79, 'Voyage of Compass', 11, 'Spanish', 304, 1357306);
INSERT INTO songs VALUES (80, 'Meadow of Storm', 29, 'French', 259, 997367);
INSERT INTO songs VALUES (81, 'Orchard of Ember', 23, 'English', 153, 1133598);
INSERT INTO songs VALUES (82, 'Canyon of Falcon', 21, 'French', 411, 1676662);
INSERT INTO songs VALUES (83, 'Mirror of Storm', 20, 'French', 164, 91233);
INSERT INTO songs VALUES (84, 'River of Canyon', 31, 'English', 163, 1134029);
INSERT INTO songs VALUES (85, 'Shadow of Garden', 17, 'English', 397, 994455);
INSERT INTO songs VALUES (86, 'Bridge of Storm', 20, 'English', 187, 1684626);
INSERT INTO songs VALUES (87, 'Signal of River', 12, 'French', 160, 1841679);
INSERT INTO songs VALUES (88, 'Compass of Orchard', 32, 'Spanish', 385, 1321970);
INSERT INTO songs VALUES (89, 'Ember of Lantern', 30, 'Korean', 296, 1337729);
INSERT INTO songs VALUES (90, 'Echo of Compass', 9, 'Spanish', 241, 842350);
INSERT INTO songs VALUES (91, 'Bridge of Tower', 29, 'French', 299, 433946);
INSERT INTO songs VALUES (92, 'Lantern of Shadow', 24, 'Spanish', 404, 1623998);
INSERT INTO songs VALUES (93, 'Shadow of Canyon', 29, 'Spanish', 157, 916620);
INSERT INTO songs VALUES (94, 'Tower of Canyon', 13, 'English', 392, 623083);
INSERT INTO songs VALUES (95, 'Bridge of River', 26, 'French', 288, 191822);
INSERT INTO songs VALUES (96, 'Garden of Signal', 25, 'Spanish', 159, 294977);
INSERT INTO songs VALUES (97, 'Ember of River', 27, 'Spanish', 371, 1247547);
INSERT INTO songs VALUES (98, 'Canyon of Bridge', 6, 'French', 268, 1613911);
INSERT INTO songs VALUES (99, 'River of Falcon', 23, 'English', 163, 1377004);
INSERT INTO songs VALUES (100, 'Orchard of Canyon', 32, 'Spanish', 398, 1001);
COMMIT;
