BEGIN TRANSACTION;
CREATE TABLE airlines (
  airline_id INTEGER PRIMARY KEY,
  name TEXT,
  country TEXT,
  founded_year INTEGER,
  fleet_size INTEGER
);
CREATE TABLE airports (
  airport_id INTEGER PRIMARY KEY,
  name TEXT,
  city TEXT,
  elevation INTEGER
);
CREATE TABLE flights (
  flight_id INTEGER PRIMARY KEY,
  airline_id INTEGER REFERENCES airlines(airline_id),
  origin_id INTEGER REFERENCES airports(airport_id),
  destination_id INTEGER REFERENCES airports(airport_id),
  distance INTEGER,
  duration INTEGER,
  price REAL
);
INSERT INTO airlines VALUES (1, 'Hidden Air', 'Nigeria', 1968, 559);
INSERT INTO airlines VALUES (2, 'Silent Air', 'Brazil', 1989, 457);
INSERT INTO airlines VALUES (3, 'Quiet Air', 'Nigeria', 1945, 299);
INSERT INTO airlines VALUES (4, 'Secret Air', 'Japan', 1949, 213);
INSERT INTO airlines VALUES (5, 'Crimson Air', 'France', 1933, 811);
INSERT INTO airlines VALUES (6, 'Northern Air', 'USA', 1977, 209);
INSERT INTO airlines VALUES (7, 'Iron Air', 'Germany', 2003, 450);
INSERT INTO airlines VALUES (8, 'Lucky Air', 'Nigeria', 2002, 26);
INSERT INTO airlines VALUES (9, 'Wild Air', 'Japan', 1925, 387);
INSERT INTO airlines VALUES (10, 'Scarlet Air', 'Brazil', 1948, 460);
INSERT INTO airlines VALUES (11, 'Hollow Air', 'Brazil', 1994, 102);
INSERT INTO airlines VALUES (12, 'Distant Air', 'Nigeria', 1935, 595);
INSERT INTO airlines VALUES (13, 'Gentle Air', 'Germany', 1925, 288);
INSERT INTO airlines VALUES (14, 'Electric Air', 'USA', 1994, 857);
INSERT INTO airlines VALUES (15, 'Midnight Air', 'Nigeria', 1938, 335);
INSERT INTO airlines VALUES (16, 'Silver Air', 'Japan', 1994, 279);
INSERT INTO airlines VALUES (17, 'Golden Air', 'Japan', 1980, 881);
INSERT INTO airlines VALUES (18, 'Rapid Air', 'Brazil', 1924, 403);
INSERT INTO airlines VALUES (19, 'Broken Air', 'Brazil', 1982, 350);
INSERT INTO airlines VALUES (20, 'Frozen Air', 'UK', 2008, 242);
INSERT INTO airports VALUES (1, 'Garden Field', 'Rome', 40);
INSERT INTO airports VALUES (2, 'Compass Field', 'Rome', 531);
INSERT INTO airports VALUES (3, 'Shadow Field', 'Berlin', 2186);
INSERT INTO airports VALUES (4, 'Orchard Field', 'Lisbon', 589);
INSERT INTO airports VALUES (5, 'Tower Field', 'Paris', 133);
INSERT INTO airports VALUES (6, 'Storm Field', 'Paris', 1967);
INSERT INTO airports VALUES (7, 'Forest Field', 'Vienna', 459);
INSERT INTO airports VALUES (8, 'Harbor Field', 'London', 162);
INSERT INTO airports VALUES (9, 'Echo Field', 'Berlin', 1205);
INSERT INTO airports VALUES (10, 'Island Field', 'Berlin', 15);
INSERT INTO airports VALUES (11, 'Meadow Field', 'London', 2430);
INSERT INTO airports VALUES (12, 'Ember Field', 'Rome', 1021);
INSERT INTO airports VALUES (13, 'Canyon Field', 'Madrid', 99);
INSERT INTO airports VALUES (14, 'Voyage Field', 'Rome', 432);
INSERT INTO airports VALUES (15, 'Bridge Field', 'Oslo', 1746);
INSERT INTO airports VALUES (16, 'Lantern Field', 'Berlin', 1603);
INSERT INTO airports VALUES (17, 'River Field', 'Vienna', 1520);
INSERT INTO airports VALUES (18, 'Falcon Field', 'Oslo', 217);
INSERT INTO airports VALUES (19, 'Signal Field', 'Oslo', 1681);
INSERT INTO airports VALUES (20, 'Mirror Field', 'Paris', 2248);
INSERT INTO flights VALUES (1, 14, 16, 7, 8894, 332, 1129.53);
INSERT INTO flights VALUES (2, 14, 4, 11, 3866, 258, 1315.75);
INSERT INTO flights VALUES (3, 5, 13, 7, 6287, 241, 1037.92);
INSERT INTO flights VALUES (4, 9, 4, 3, 4758, 474, 909.48);
INSERT INTO flights VALUES (5, 11, 14, 16, 1248, 364, 580.37);
INSERT INTO flights VALUES (6, 12, 12, 1, 4739, 231, 639.71);
INSERT INTO flights VALUES (7, 1, 3, 2, 2587, 94, 245.27);
INSERT INTO flights VALUES (8, 8, 7, 7, 2309, 338, 1292.96);
INSERT INTO flights VALUES (9, 16, 11, 2, 7112, 701, 1195.89);
INSERT INTO flights VALUES (10, 10, 12, 7, 5316, 190, 596.52);
INSERT INTO flights VALUES (11, 16, 13, 13, 5815, 134, 242.98);
INSERT INTO flights VALUES (12, 5, 14, 12, 2059, 501, 1231.86);
INSERT INTO flights VALUES (13, 10, 13, 9, 6565, 95, 104.09);
INSERT INTO flights VALUES (14, 13, 8, 14, 4404, 360, 1147.57);
INSERT INTO flights VALUES (15, 12, 7, 4, 5078, 491, 421.31);
INSERT INTO flights VALUES (16, 10, 6, 16, 3301, 536, 1162.03);
INSERT INTO flights VALUES (17, 6, 4, 2, 5466, 146, 870.73);
INSERT INTO flights VALUES (18, 4, 15, 14, 6540, 691, 1413.63);
INSERT INTO flights VALUES (19, 8, 7, 6, 7557, 462, 244.04);
INSERT INTO flights VALUES (20, 7, 4, 15, 3701, 644, 258.74);
INSERT INTO flights VALUES (21, 15, 3, 2, 5730, 423, 380.51);
INSERT INTO flights VALUES (22, 10, 3, 7, 7133, 447, 433.3);
INSERT INTO flights VALUES (23, 1, 13, 6, 3825, 480, 428.01);
INSERT INTO flights VALUES (24, 6, 10, 16, 7732, 392, 589.07);
INSERT INTO flights VALUES (25, 9, 11, 11, 1081, 541, 1171.34);
INSERT INTO flights VALUES (26, 5, 3, 5, 1875, 517, 890.08);
INSERT INTO flights VALUES (27, 8, 2, 7, 2833, 561, 225.92);
INSERT INTO flights VALUES (28, 4, 15, 5, 7691, 476, 259.58);
INSERT INTO flights VALUES (29, 16, 4, 15, 8651, 206, 612.0);
INSERT INTO flights VALUES (30, 12, 1, 12, 6840, 612, 807.37);
INSERT INTO flights VALUES (31, 4, 7, 11, 6077, 446, 1273.84);
INSERT INTO flights VALUES (32, 16, 4, 10, 5681, 46, 500.04);
INSERT INTO flights VALUES (33, 8, 4, 4, 1544, 401, 199.69);
INSERT INTO flights VALUES (34, 9, 16, 1, 4623, 323, 247.45);
INSERT INTO flights VALUES (35, 8, 7, 5, 1436, 523, 880.49);
INSERT INTO flights VALUES (36, 8, 7, 8, 3113, 202, 590.54);
INSERT INTO flights VALUES (37, 2, 11, 15, 4244, 278, 1460.62);
INSERT INTO flights VALUES (38, 8, 9, 4, 2630, 334, 1484.78);
INSERT INTO flights VALUES (39, 9, 5, 2, 7937, 471, 1290.24);
INSERT INTO flights VALUES (40, 13, 16, 12, 4713, 319, 1469.67);
INSERT INTO flights VALUES (41, 14, 16, 16, 7475, 223, 918.24);
INSERT INTO flights VALUES (42, 2, 9, 15, 1293, 666, 290.96);
INSERT INTO flights VALUES (43, 11, 13, 11, 7982, 196, 695.81);
INSERT INTO flights VALUES (44, 4, 5, 16, 2625, 614, 1073.82);
INSERT INTO flights VALUES (45, 12, 3, 3, 5060, 309, 1049.66);
INSERT INTO flights VALUES (46, 8, 3, 11, 2507, 96, 458.77);
INSERT INTO flights VALUES (47, 3, 14, 7, 5038, 310, 437.19);
INSERT INTO flights VALUES (48, 16, 1, 3, 919, 338, 878.56);
INSERT INTO flights VALUES (49, 1, 15, 3, 7509, 564, 1046.47);
INSERT INTO flights VALUES (50, 6, 2, 4, 4138, 89, 1397.02);
INSERT INTO flights VALUES (51, 16, 12, 5, 4527, 177, 128.62);
INSERT INTO flights VALUES (52, 13, 7, 4, 7181, 371, 431.58);
INSERT INTO flights VALUES (53, 1, 3, 14, 4739, 225, 1430.29);
INSERT INTO flights VALUES (54, 15, 9, 1, 3832, 666, 1470.68);
INSERT INTO flights VALUES (55, 9, 6, 11, 6467, 160, 1358.32);
INSERT INTO flights VALUES (56, 14, 3, 7, 7524, 57, 1448.43);
INSERT INTO flights VALUES (57, 16, 6, 15, 3320, 312, 983.12);
INSERT INTO flights VALUES (58, 1, 4, 10, 7205, 79, 1273.78);
INSERT INTO flights VALUES (59, 16, 15, 4, 377, 454, 802.1);
INSERT INTO flights VALUES (60, 5, 4, 2, 4117, 610, 80.13);
INSERT INTO flights VALUES (61, 7, 5, 5, 7260, 397, 210.76);
INSERT INTO flights VALUES (62, 10, 7, 11, 4245, 459, 418.08);
INSERT INTO flights VALUES (63, 7, 6, 2, 8368, 700, 76.29);
INSERT INTO flights VALUES (64, 2, 8, 15, 7121, 659, 449.41);
INSERT INTO flights VALUES (65, 8, 1, 11, 6613, 452, 1279.03);
INSERT INTO flights VALUES (66, 14, 13, 14, 1410, 168, 373.1);
INSERT INTO flights VALUES (67, 8, 5, 11, 6188, 488, 1087.73);
INSERT INTO flights VALUES (68, 14, 10, 12, 7191, 586, 687.18);
INSERT INTO flights VALUES (69, 10, 9, 6, 8183, 306, 350.46);
INSERT INTO flights VALUES (70, 1, 13, 16, 3346, 363, 945.34);
INSERT INTO flights VALUES (71, 4, 14, 12, 3820, 544, 997.9);
INSERT INTO flights VALUES (72, 9, 15, 14, 7349, 520, 49.58);
INSERT INTO flights VALUES (73, 4, 12, 4, 1522, 125, 218.48);
INSERT INTO flights VALUES (74, 8, 15, 13, 6201, 699, 347.83);
INSERT INTO flights VALUES (75, 10, 3, 8, 7563, 256, 867.74);
INSERT INTO flights VALUES (76, 3, 14, 9, 7828, 529, 243.24);
INSERT INTO flights VALUES (77, 14, 13, 13, 4505, 466, 722.89);
INSERT INTO flights VALUES (78, 11, 4, 12, 7659, 403, 432.29);
INSERT INTO flights VALUES (79, 10, 6, 3, 588, 687, 963.66);
INSERT INTO flights VALUES (80, 12, 4, 3, 6601, 465, 1270.27);
COMMIT;
