BEGIN TRANSACTION;
CREATE TABLE students (
  student_id INTEGER PRIMARY KEY,
  name TEXT,
  major TEXT,
  city TEXT,
  age INTEGER,
  gpa REAL
);
CREATE TABLE teachers (
  teacher_id INTEGER PRIMARY KEY,
  name TEXT,
  department TEXT,
  salary INTEGER,
  hire_year INTEGER
);
CREATE TABLE courses (
  course_id INTEGER PRIMARY KEY,
  title TEXT,
  teacher_id INTEGER REFERENCES teachers(teacher_id),
  level TEXT,
  credits INTEGER
);
CREATE TABLE enrollments (
  enrollment_id INTEGER PRIMARY KEY,
  student_id INTEGER REFERENCES students(student_id),
  course_id INTEGER REFERENCES courses(course_id),
  semester TEXT,
  score INTEGER
);
INSERT INTO students VALUES (1, 'Grace Novak', 'History', 'Paris', 26, 2.4);
INSERT INTO students VALUES (2, 'Bruno Muller', 'History', 'Madrid', 18, 2.41);
INSERT INTO students VALUES (3, 'Diego Ivanova', 'Mathematics', 'Madrid', 21, 3.33);
INSERT INTO students VALUES (4, 'Hugo Moreau', 'History', 'London', 21, 2.24);
INSERT INTO students VALUES (5, 'Bruno Ivanova', 'Biology', 'Berlin', 21, 3.25);
INSERT INTO students VALUES (6, 'Maya Kowalski', 'Biology', 'Rome', 26, 3.25);
INSERT INTO students VALUES (7, 'Sami Haddad', 'Biology', 'Paris', 22, 3.8);
INSERT INTO students VALUES (8, 'Aiko Smith', 'Physics', 'Oslo', 25, 3.88);
INSERT INTO students VALUES (9, 'Pablo Petrov', 'History', 'Vienna', 28, 3.19);
INSERT INTO students VALUES (10, 'Sami Garcia', 'History', 'Madrid', 28, 3.02);
INSERT INTO students VALUES (11, 'Uma Kowalski', 'Physics', 'Berlin', 22, 2.67);
INSERT INTO students VALUES (12, 'Elif Haddad', 'Biology', 'Rome', 23, 3.82);
INSERT INTO students VALUES (13, 'Sami Moreau', 'Mathematics', 'London', 21, 2.32);
INSERT INTO students VALUES (14, 'Alice Fischer', 'Biology', 'Berlin', 19, 3.74);
INSERT INTO students VALUES (15, 'Kira Moreau', 'Economics', 'Berlin', 29, 3.4);
INSERT INTO students VALUES (16, 'Grace Lopez', 'Mathematics', 'Berlin', 17, 3.39);
INSERT INTO students VALUES (17, 'Alice Costa', 'Biology', 'Rome', 22, 2.59);
INSERT INTO students VALUES (18, 'Victor Muller', 'Economics', 'London', 29, 2.81);
INSERT INTO students VALUES (19, 'Quinn Dubois', 'Physics', 'Vienna', 22, 2.04);
INSERT INTO students VALUES (20, 'Yusuf Costa', 'History', 'Paris', 29, 2.02);
INSERT INTO students VALUES (21, 'Jonas Larsen', 'History', 'Paris', 24, 2.13);
INSERT INTO students VALUES (22, 'Ximena Okafor', 'Physics', 'Berlin', 22, 3.9);
INSERT INTO students VALUES (23, 'Tara Petrov', 'Economics', 'Madrid', 29, 3.2);
INSERT INTO students VALUES (24, 'Maya Moreau', 'Biology', 'Paris', 25, 2.06);
INSERT INTO students VALUES (25, 'Yusuf Jensen', 'Mathematics', 'London', 19, 3.41);
INSERT INTO students VALUES (26, 'Ines Fischer', 'Physics', 'Rome', 27, 3.02);
INSERT INTO students VALUES (27, 'Pablo Muller', 'Biology', 'Oslo', 29, 3.16);
INSERT INTO students VALUES (28, 'Farid Walsh', 'Physics', 'Berlin', 27, 2.19);
INSERT INTO students VALUES (29, 'Bruno Okafor', 'Biology', 'Rome', 19, 3.4);
INSERT INTO students VALUES (30, 'Liam Garcia', 'Mathematics', 'Madrid', 19, 3.86);
INSERT INTO students VALUES (31, 'Uma Novak', 'Physics', 'Lisbon', 26, 3.45);
INSERT INTO students VALUES (32, 'Liam Silva', 'Physics', 'London', 24, 3.4);
INSERT INTO students VALUES (33, 'Quinn Fischer', 'Physics', 'Berlin', 21, 2.7);
INSERT INTO students VALUES (34, 'Elif Jensen', 'Economics', 'London', 17, 3.65);
INSERT INTO students VALUES (35, 'Aiko Petrov', 'Mathematics', 'Madrid', 29, 3.29);
INSERT INTO students VALUES (36, 'Zoe Novak', 'History', 'Berlin', 21, 2.65);
INSERT INTO students VALUES (37, 'Jonas Garcia', 'Biology', 'Oslo', 19, 2.19);
INSERT INTO students VALUES (38, 'Quinn Romero', 'Economics', 'Oslo', 20, 3.69);
INSERT INTO students VALUES (39, 'Aiko Fischer', 'History', 'Lisbon', 21, 2.38);
INSERT INTO students VALUES (40, 'Kira Petrov', 'History', 'Paris', 21, 3.98);
INSERT INTO teachers VALUES (1, 'Boris Berg', 'Mathematics', 85877, 1998);
INSERT INTO teachers VALUES (2, 'Maya Petrov', 'Physics', 69978, 2022);
INSERT INTO teachers VALUES (3, 'Rosa Lopez', 'History', 42315, 2009);
INSERT INTO teachers VALUES (4, 'Hugo Tanaka', 'History', 51199, 2023);
INSERT INTO teachers VALUES (5, 'Diego Novak', 'Physics', 88743, 2016);
INSERT INTO teachers VALUES (6, 'Alice Silva', 'History', 88909, 1998);
INSERT INTO teachers VALUES (7, 'Ines Fischer', 'Physics', 46160, 2015);
INSERT INTO teachers VALUES (8, 'Bruno Jensen', 'Mathematics', 105654, 2020);
INSERT INTO teachers VALUES (9, 'Hugo Muller', 'History', 105576, 2004);
INSERT INTO teachers VALUES (10, 'Alice Jensen', 'History', 49492, 1996);
INSERT INTO teachers VALUES (11, 'Rosa Moreau', 'History', 73406, 2018);
INSERT INTO teachers VALUES (12, 'Pablo Petrov', 'Physics', 50647, 2020);
INSERT INTO teachers VALUES (13, 'Liam Nakamura', 'Biology', 64127, 1998);
INSERT INTO teachers VALUES (14, 'Liam Walsh', 'Mathematics', 91286, 1999);
INSERT INTO teachers VALUES (15, 'Clara Rossi', 'Physics', 82027, 2009);
INSERT INTO teachers VALUES (16, 'Uma Okafor', 'Biology', 89765, 2016);
INSERT INTO teachers VALUES (17, 'Farid Muller', 'Physics', 113061, 2006);
INSERT INTO teachers VALUES (18, 'Wen Kim', 'History', 90818, 2005);
INSERT INTO teachers VALUES (19, 'Yusuf Fischer', 'History', 58181, 2017);
INSERT INTO teachers VALUES (20, 'Boris Okafor', 'History', 70337, 2017);
INSERT INTO teachers VALUES (21, 'Olga Berg', 'Biology', 40485, 2015);
INSERT INTO teachers VALUES (22, 'Uma Costa', 'Biology', 57408, 2010);
INSERT INTO teachers VALUES (23, 'Diego Jensen', 'Physics', 95779, 2018);
INSERT INTO teachers VALUES (24, 'Wen Garcia', 'Biology', 77294, 2010);
INSERT INTO courses VALUES (1, 'Crimson Orchard', 14, 'introductory', 6);
INSERT INTO courses VALUES (2, 'Broken Shadow', 3, 'introductory', 4);
INSERT INTO courses VALUES (3, 'Hollow Storm', 8, 'introductory', 5);
INSERT INTO courses VALUES (4, 'Frozen Echo', 7, 'advanced', 2);
INSERT INTO courses VALUES (5, 'Frozen Meadow', 4, 'advanced', 3);
INSERT INTO courses VALUES (6, 'Iron Ember', 18, 'introductory', 2);
INSERT INTO courses VALUES (7, 'Midnight Storm', 4, 'introductory', 6);
INSERT INTO courses VALUES (8, 'Distant Forest', 16, 'intermediate', 3);
INSERT INTO courses VALUES (9, 'Rapid Signal', 3, 'introductory', 5);
INSERT INTO courses VALUES (10, 'Gentle Compass', 18, 'introductory', 3);
INSERT INTO courses VALUES (11, 'Northern Tower', 10, 'introductory', 6);
INSERT INTO courses VALUES (12, 'Lucky Shadow', 2, 'advanced', 5);
INSERT INTO courses VALUES (13, 'Midnight Echo', 5, 'intermediate', 4);
INSERT INTO courses VALUES (14, 'Lucky Voyage', 13, 'advanced', 3);
INSERT INTO courses VALUES (15, 'Midnight River', 6, 'intermediate', 3);
INSERT INTO courses VALUES (16, 'Scarlet Mirror', 4, 'advanced', 5);
INSERT INTO courses VALUES (17, 'Quiet Echo', 5, 'introductory', 2);
INSERT INTO courses VALUES (18, 'Quiet Tower', 5, 'intermediate', 1);
INSERT INTO courses VALUES (19, 'Quiet Island', 19, 'advanced', 2);
INSERT INTO courses VALUES (20, 'Northern Shadow', 1, 'introductory', 2);
INSERT INTO courses VALUES (21, 'Silver Harbor', 13, 'advanced', 2);
INSERT INTO courses VALUES (22, 'Quiet Falcon', 3, 'advanced', 4);
INSERT INTO courses VALUES (23, 'Distant Bridge', 4, 'intermediate', 4);
INSERT INTO courses VALUES (24, 'Golden Ember', 20, 'intermediate', 3);
INSERT INTO courses VALUES (25, 'Wild Mirror', 12, 'introductory', 6);
INSERT INTO courses VALUES (26, 'Wild Compass', 18, 'introductory', 6);
INSERT INTO courses VALUES (27, 'Quiet River', 10, 'advanced', 3);
INSERT INTO courses VALUES (28, 'Hidden Voyage', 11, 'intermediate', 2);
INSERT INTO courses VALUES (29, 'Hidden Forest', 3, 'intermediate', 1);
INSERT INTO courses VALUES (30, 'Golden River', 11, 'intermediate', 5);
INSERT INTO enrollments VALUES (1, 12, 14, 'Spring 2024', 47);
INSERT INTO enrollments VALUES (2, 29, 3, 'Fall 2023', 58);
INSERT INTO enrollments VALUES (3, 19, 18, 'Fall 2024', 42);
INSERT INTO enrollments VALUES (4, 23, 16, 'Fall 2023', 68);
INSERT INTO enrollments VALUES (5, 27, 5, 'Fall 2023', 61);
INSERT INTO enrollments VALUES (6, 5, 18, 'Fall 2023', 77);
INSERT INTO enrollments VALUES (7, 29, 9, 'Fall 2023', 53);
INSERT INTO enrollments VALUES (8, 23, 23, 'Spring 2024', 57);
INSERT INTO enrollments VALUES (9, 5, 16, 'Fall 2023', 46);
INSERT INTO enrollments VALUES (10, 23, 3, 'Spring 2024', 45);
INSERT INTO enrollments VALUES (11, 4, 8, 'Spring 2024', 85);
INSERT INTO enrollments VALUES (12, 21, 10, 'Fall 2024', 76);
INSERT INTO enrollments VALUES (13, 19, 7, 'Fall 2024', 82);
INSERT INTO enrollments VALUES (14, 2, 13, 'Spring 2024', 69);
INSERT INTO enrollments VALUES (15, 29, 9, 'Fall 2024', 55);
INSERT INTO enrollments VALUES (16, 1, 6, 'Spring 2024', 67);
INSERT INTO enrollments VALUES (17, 18, 23, 'Fall 2024', 63);
INSERT INTO enrollments VALUES (18, 6, 13, 'Fall 2024', 95);
INSERT INTO enrollments VALUES (19, 14, 13, 'Fall 2024', 58);
INSERT INTO enrollments VALUES (20, 27, 9, 'Fall 2024', 85);
INSERT INTO enrollments VALUES (21, 21, 10, 'Fall 2023', 78);
INSERT INTO enrollments VALUES (22, 3, 4, 'Fall 2024', 64);
INSERT INTO enrollments VALUES (23, 3, 23, 'Fall 2024', 88);
INSERT INTO enrollments VALUES (24, 7, 21, 'Fall 2024', 91);
INSERT INTO enrollments VALUES (25, 22, 20, 'Fall 2024', 70);
INSERT INTO enrollments VALUES (26, 32, 17, 'Fall 2024', 91);
INSERT INTO enrollments VALUES (27, 19, 11, 'Spring 2024', 83);
INSERT INTO enrollments VALUES (28, 16, 1, 'Spring 2024', 61);
INSERT INTO enrollments VALUES (29, 29, 20, 'Spring 2024', 45);
INSERT INTO enrollments VALUES (30, 11, 5, 'Fall 2024', 77);
INSERT INTO enrollments VALUES (31, 21, 21, 'Fall 2024', 71);
INSERT INTO enrollments VALUES (32, 18, 6, 'Spring 2024', 40);
INSERT INTO enrollments VALUES (33, 5, 24, 'Fall 2023', 68);
INSERT INTO enrollments VALUES (34, 31, 19, 'Spring 2024', 92);
INSERT INTO enrollments VALUES (35, 4, 1, 'Fall 2024', 65);
INSERT INTO enrollments VALUES (36, 13, 10, 'Fall 2024', 50);
INSERT INTO enrollments VALUES (37, 10, 12, 'Fall 2024', 71);
INSERT INTO enrollments VALUES (38, 4, 11, 'Spring 2024', 89);
INSERT INTO enrollments VALUES (39, 5, 16, 'Fall 2023', 94);
INSERT INTO enrollments VALUES (40, 23, 15, 'Fall 2023', 64);
INSERT INTO enrollments VALUES (41, 30, 15, 'Fall 2024', 73);
INSERT INTO enrollments VALUES (42, 18, 20, 'Fall 2023', 47);
INSERT INTO enrollments VALUES (43, 23, 6, 'Fall 2023', 92);
INSERT INTO enrollments VALUES (44, 9, 8, 'Fall 2023', 72);
INSERT INTO enrollments VALUES (45, 16, 10, 'Spring 2024', 77);
INSERT INTO enrollments VALUES (46, 19, 7, 'Fall 2023', 58);
INSERT INTO enrollments VALUES (47, 28, 5, 'Fall 2023', 84);
INSERT INTO enrollments VALUES (48, 29, 21, 'Fall 2023', 42);
INSERT INTO enrollments VALUES (49, 4, 5, 'Fall 2023', 92);
INSERT INTO enrollments VALUES (50, 6, 12, 'Fall 2023', 97);
INSERT INTO enrollments VALUES (51, 16, 6, 'Fall 2023', 45);
INSERT INTO enrollments VALUES (52, 13, 24, 'Fall 2023', 90);
INSERT INTO enrollments VALUES (53, 14, 3, 'Fall 2023', 84);
INSERT INTO enrollments VALUES (54, 24, 4, 'Spring 2024', 49);
INSERT INTO enrollments VALUES (55, 3, 13, 'Spring 2024', 90);
INSERT INTO enrollments VALUES (56, 11, 7, 'Fall 2023', 55);
INSERT INTO enrollments VALUES (57, 17, 13, 'Spring 2024', 93);
INSERT INTO enrollments VALUES (58, 19, 1, 'Fall 2023', 58);
INSERT INTO enrollments VALUES (59, 29, 24, 'Fall 2024', 56);
INSERT INTO enrollments VALUES (60, 2, 12, 'Spring 2024', 80);
INSERT INTO enrollments VALUES (61, 4, 2, 'Fall 2024', 75);
INSERT INTO enrollments VALUES (62, 8, 7, 'Fall 2024', 43);
INSERT INTO enrollments VALUES (63, 24, 21, 'Fall 2024', 83);
INSERT INTO enrollments VALUES (64, 1, 2, 'Spring 2024', 97);
INSERT INTO enrollments VALUES (65, 11, 12, 'Spring 2024', 55);
INSERT INTO enrollments VALUES (66, 25, 7, 'Spring 2024', 41);
INSERT INTO enrollments VALUES (67, 5, 12, 'Fall 2023', 73);
INSERT INTO enrollments VALUES (68, 9, 21, 'Spring 2024', 77);
INSERT INTO enrollments VALUES (69, 2, 17, 'Spring 2024', 95);
INSERT INTO enrollments VALUES (70, 22, 12, 'Spring 2024', 85);
INSERT INTO enrollments VALUES (71, 13, 6, 'Spring 2024', 46);
INSERT INTO enrollments VALUES (72, 12, 14, 'Spring 2024', 94);
INSERT INTO enrollments VALUES (73, 27, 20, 'Fall 2023', 51);
INSERT INTO enrollments VALUES (74, 28, 6, 'Fall 2023', 86);
INSERT INTO enrollments VALUES (75, 20, 24, 'Spring 2024', 51);
INSERT INTO enrollments VALUES (76, 25, 19, 'Fall 2023', 98);
INSERT INTO enrollments VALUES (77, 24, 17, 'Spring 2024', 94);
INSERT INTO enrollments VALUES (78, 6, 8, 'Fall 2023', 73);
INSERT INTO enrollments VALUES (79, 5, 24, 'Fall 2023', 62);
INSERT INTO enrollments VALUES (80, 21, 21, 'Fall 2024', 74);
INSERT INTO enrollments VALUES (81, 29, 10, 'Spring 2024', 65);
INSERT INTO enrollments VALUES (82, 10, 21, 'Fall 2023', 53);
INSERT INTO enrollments VALUES (83, 13, 7, 'Fall 2023', 85);
INSERT INTO enrollments VALUES (84, 11, 16, 'Fall 2023', 72);
INSERT INTO enrollments VALUES (85, 30, 5, 'Fall 2023', 46);
INSERT INTO enrollments VALUES (86, 22, 5, 'Fall 2023', 89);
INSERT INTO enrollments VALUES (87, 19, 8, 'Fall 2024', 73);
INSERT INTO enrollments VALUES (88, 32, 15, 'Spring 2024', 83);
INSERT INTO enrollments VALUES (89, 22, 19, 'Fall 2023', 73);
INSERT INTO enrollments VALUES (90, 19, 17, 'Spring 2024', 76);
INSERT INTO enrollments VALUES (91, 31, 8, 'Spring 2024', 84);
INSERT INTO enrollments VALUES (92, 17, 12, 'Fall 2023', 61);
INSERT INTO enrollments VALUES (93, 9, 7, 'Spring 2024', 43);
INSERT INTO enrollments VALUES (94, 17, 17, 'Fall 2024', 62);
INSERT INTO enrollments VALUES (95, 13, 6, 'Fall 2024', 44);
INSERT INTO enrollments VALUES (96, 8, 15, 'Fall 2024', 83);
INSERT INTO enrollments VALUES (97, 9, 20, 'Fall 2023', 99);
INSERT INTO enrollments VALUES (98, 31, 6, 'Spring 2024', 70);
INSERT INTO enrollments VALUES (99, 3, 3, 'Fall 2023', 98);
INSERT INTO enrollments VALUES (100, 8, 10, 'Spring 2024', 82);
COMMIT;
