/*M!999999\- enable the sandbox mode */ 
-- MariaDB dump 10.19  Distrib 10.11.19-MariaDB, for debian-linux-gnu (x86_64)
--
-- Host: localhost    Database: mlcatalog
-- ------------------------------------------------------
-- Server version	10.11.19-MariaDB-0+deb12u1

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET @OLD_CHARACTER_SET_RESULTS=@@CHARACTER_SET_RESULTS */;
/*!40101 SET @OLD_COLLATION_CONNECTION=@@COLLATION_CONNECTION */;
/*!40101 SET NAMES utf8mb4 */;
/*!40103 SET @OLD_TIME_ZONE=@@TIME_ZONE */;
/*!40103 SET TIME_ZONE='+00:00' */;
/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;
/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;
/*!40101 SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO' */;
/*!40111 SET @OLD_SQL_NOTES=@@SQL_NOTES, SQL_NOTES=0 */;

--
-- Table structure for table `endpoints`
--

DROP TABLE IF EXISTS `endpoints`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `endpoints` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `model_id` bigint(20) unsigned NOT NULL,
  `region` varchar(32) NOT NULL DEFAULT 'eu-west-1',
  `url` varchar(1000) NOT NULL,
  `protocol` enum('https','grpc','websocket') NOT NULL DEFAULT 'https',
  `port` smallint(5) unsigned zerofill DEFAULT NULL,
  `latency_ms` smallint(5) unsigned DEFAULT NULL,
  `uptime` float DEFAULT NULL,
  `score` double DEFAULT NULL,
  `flags` bit(8) NOT NULL DEFAULT b'1',
  `maintenance_window` time DEFAULT NULL,
  `last_checked` datetime(6) DEFAULT NULL,
  PRIMARY KEY (`id`),
  KEY `idx_endpoints_model` (`model_id`),
  KEY `idx_endpoints_region_protocol` (`region`,`protocol`),
  CONSTRAINT `fk_endpoints_model` FOREIGN KEY (`model_id`) REFERENCES `models` (`id`)
) ENGINE=InnoDB AUTO_INCREMENT=1135 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `endpoints`
--

LOCK TABLES `endpoints` WRITE;
/*!40000 ALTER TABLE `endpoints` DISABLE KEYS */;
INSERT INTO `endpoints` VALUES
(1000,1,'us-east-1','https://api.northwind.example/v1/chat','https',00443,120,99.95,0.875,'','02:00:00','2024-05-01 10:00:00.123456'),
(1001,1,'eu-west-1','https://eu.api.northwind.example/v1/chat','https',00443,95,99.9,0.1,'','03:30:00','2024-05-01 10:00:01.000001'),
(1002,2,'us-east-1','https://api.northwind.example/v1/embed','grpc',08443,15,100,1.7976931348623157e308,'�',NULL,'2024-05-01 10:00:02.500000'),
(1003,3,'eu-west-3','wss://lumen.example/stream','websocket',00080,60,98.5,-2.2250738585072014e-308,'�','-838:59:59',NULL),
(1004,4,'eu-west-3','https://lumen.example/vision','https',00007,NULL,NULL,NULL,'\0','838:59:59','1000-01-01 00:00:00.000000'),
(1005,5,'ap-southeast-2','https://kiwi.example/asr?lang=en&fmt=json','https',NULL,250,0.5,3.141592653589793,'U','00:00:00','9999-12-31 23:59:59.999999'),
(1006,7,'ap-northeast-1','https://sakura.example/チャット','https',65535,65535,0.0000000001,6.02214076e23,'','12:34:56','2024-04-01 00:00:00.000000'),
(1007,8,'eu-central-1','https://quote.example/\'); DROP TABLE models; --','https',00001,0,0,0,'',NULL,NULL),
(1008,2,'eu-west-1','https://replica-1.example/v1','grpc',01001,3,90.1,0.142857142,'',NULL,'2024-01-01 01:00:07.000000'),
(1009,3,'ap-south-1','https://replica-2.example/v1','websocket',01002,6,90.2,0.285714285,'',NULL,'2024-01-01 02:00:14.000000'),
(1010,4,'sa-east-1','https://replica-3.example/v1','https',01003,9,90.3,0.428571428,'',NULL,'2024-01-01 03:00:21.000000'),
(1011,5,'us-east-1','https://replica-4.example/v1','grpc',01004,12,90.4,0.571428571,'',NULL,'2024-01-01 04:00:28.000000'),
(1012,6,'eu-west-1','https://replica-5.example/v1','websocket',NULL,15,90.5,0.714285714,'',NULL,'2024-01-01 05:00:35.000000'),
(1013,7,'ap-south-1','https://replica-6.example/v1','https',01006,18,90.6,0.857142857,'',NULL,'2024-01-01 06:00:42.000000'),
(1014,8,'sa-east-1','https://replica-7.example/v1','grpc',01007,21,90.7,1,'',NULL,'2024-01-01 07:00:49.000000'),
(1015,1,'us-east-1','https://replica-8.example/v1','websocket',01008,24,90.8,1.142857142,'',NULL,'2024-01-01 08:00:56.000000'),
(1016,2,'eu-west-1','https://replica-9.example/v1','https',01009,27,90.9,1.285714285,'',NULL,'2024-01-01 09:01:03.000000'),
(1017,3,'ap-south-1','https://replica-10.example/v1','grpc',NULL,30,91,1.428571428,'',NULL,'2024-01-01 10:01:10.000000'),
(1018,4,'sa-east-1','https://replica-11.example/v1','websocket',01011,33,91.1,1.571428571,'',NULL,'2024-01-01 11:01:17.000000'),
(1019,5,'us-east-1','https://replica-12.example/v1','https',01012,36,91.2,1.714285714,'',NULL,'2024-01-01 12:01:24.000000'),
(1020,6,'eu-west-1','https://replica-13.example/v1','grpc',01013,39,91.3,1.857142857,'',NULL,'2024-01-01 13:01:31.000000'),
(1021,7,'ap-south-1','https://replica-14.example/v1','websocket',01014,42,91.4,2,'',NULL,'2024-01-01 14:01:38.000000'),
(1022,8,'sa-east-1','https://replica-15.example/v1','https',NULL,45,91.5,2.142857142,'',NULL,'2024-01-01 15:01:45.000000'),
(1023,1,'us-east-1','https://replica-16.example/v1','grpc',01016,48,91.6,2.285714285,'',NULL,'2024-01-01 16:01:52.000000'),
(1024,2,'eu-west-1','https://replica-17.example/v1','websocket',01017,51,91.7,2.428571428,'',NULL,'2024-01-01 17:01:59.000000'),
(1025,3,'ap-south-1','https://replica-18.example/v1','https',01018,54,91.8,2.571428571,'',NULL,'2024-01-01 18:02:06.000000'),
(1026,4,'sa-east-1','https://replica-19.example/v1','grpc',01019,57,91.9,2.714285714,'',NULL,'2024-01-01 19:02:13.000000'),
(1027,5,'us-east-1','https://replica-20.example/v1','websocket',NULL,60,92,2.857142857,'',NULL,'2024-01-01 20:02:20.000000'),
(1028,6,'eu-west-1','https://replica-21.example/v1','https',01021,63,92.1,3,'',NULL,'2024-01-01 21:02:27.000000'),
(1029,7,'ap-south-1','https://replica-22.example/v1','grpc',01022,66,92.2,3.142857142,'',NULL,'2024-01-01 22:02:34.000000'),
(1030,8,'sa-east-1','https://replica-23.example/v1','websocket',01023,69,92.3,3.285714285,'',NULL,'2024-01-01 23:02:41.000000'),
(1031,1,'us-east-1','https://replica-24.example/v1','https',01024,72,92.4,3.428571428,'',NULL,'2024-01-02 00:02:48.000000'),
(1032,2,'eu-west-1','https://replica-25.example/v1','grpc',NULL,75,92.5,3.571428571,'',NULL,'2024-01-02 01:02:55.000000'),
(1033,3,'ap-south-1','https://replica-26.example/v1','websocket',01026,78,92.6,3.714285714,'',NULL,'2024-01-02 02:03:02.000000'),
(1034,4,'sa-east-1','https://replica-27.example/v1','https',01027,81,92.7,3.857142857,'',NULL,'2024-01-02 03:03:09.000000'),
(1035,5,'us-east-1','https://replica-28.example/v1','grpc',01028,84,92.8,4,'',NULL,'2024-01-02 04:03:16.000000'),
(1036,6,'eu-west-1','https://replica-29.example/v1','websocket',01029,87,92.9,4.142857142,'',NULL,'2024-01-02 05:03:23.000000'),
(1037,7,'ap-south-1','https://replica-30.example/v1','https',NULL,90,93,4.285714285,'',NULL,'2024-01-02 06:03:30.000000'),
(1038,8,'sa-east-1','https://replica-31.example/v1','grpc',01031,93,93.1,4.428571428,'',NULL,'2024-01-02 07:03:37.000000'),
(1039,1,'us-east-1','https://replica-32.example/v1','websocket',01032,96,93.2,4.571428571,'',NULL,'2024-01-02 08:03:44.000000'),
(1040,2,'eu-west-1','https://replica-33.example/v1','https',01033,99,93.3,4.714285714,'',NULL,'2024-01-02 09:03:51.000000'),
(1041,3,'ap-south-1','https://replica-34.example/v1','grpc',01034,102,93.4,4.857142857,'',NULL,'2024-01-02 10:03:58.000000'),
(1042,4,'sa-east-1','https://replica-35.example/v1','websocket',NULL,105,93.5,5,'',NULL,'2024-01-02 11:04:05.000000'),
(1043,5,'us-east-1','https://replica-36.example/v1','https',01036,108,93.6,5.142857142,'',NULL,'2024-01-02 12:04:12.000000'),
(1044,6,'eu-west-1','https://replica-37.example/v1','grpc',01037,111,93.7,5.285714285,'',NULL,'2024-01-02 13:04:19.000000'),
(1045,7,'ap-south-1','https://replica-38.example/v1','websocket',01038,114,93.8,5.428571428,'',NULL,'2024-01-02 14:04:26.000000'),
(1046,8,'sa-east-1','https://replica-39.example/v1','https',01039,117,93.9,5.571428571,'',NULL,'2024-01-02 15:04:33.000000'),
(1047,1,'us-east-1','https://replica-40.example/v1','grpc',NULL,120,94,5.714285714,'',NULL,'2024-01-02 16:04:40.000000'),
(1048,2,'eu-west-1','https://replica-41.example/v1','websocket',01041,123,94.1,5.857142857,'',NULL,'2024-01-02 17:04:47.000000'),
(1049,3,'ap-south-1','https://replica-42.example/v1','https',01042,126,94.2,6,'',NULL,'2024-01-02 18:04:54.000000'),
(1050,4,'sa-east-1','https://replica-43.example/v1','grpc',01043,129,94.3,6.142857142,'',NULL,'2024-01-02 19:05:01.000000'),
(1051,5,'us-east-1','https://replica-44.example/v1','websocket',01044,132,94.4,6.285714285,'',NULL,'2024-01-02 20:05:08.000000'),
(1052,6,'eu-west-1','https://replica-45.example/v1','https',NULL,135,94.5,6.428571428,'',NULL,'2024-01-02 21:05:15.000000'),
(1053,7,'ap-south-1','https://replica-46.example/v1','grpc',01046,138,94.6,6.571428571,'',NULL,'2024-01-02 22:05:22.000000'),
(1054,8,'sa-east-1','https://replica-47.example/v1','websocket',01047,141,94.7,6.714285714,'',NULL,'2024-01-02 23:05:29.000000'),
(1055,1,'us-east-1','https://replica-48.example/v1','https',01048,144,94.8,6.857142857,'',NULL,'2024-01-03 00:05:36.000000'),
(1056,2,'eu-west-1','https://replica-49.example/v1','grpc',01049,147,94.9,7,'',NULL,'2024-01-03 01:05:43.000000'),
(1057,3,'ap-south-1','https://replica-50.example/v1','websocket',NULL,150,95,7.142857142,'',NULL,'2024-01-03 02:05:50.000000'),
(1058,4,'sa-east-1','https://replica-51.example/v1','https',01051,153,95.1,7.285714285,'',NULL,'2024-01-03 03:05:57.000000'),
(1059,5,'us-east-1','https://replica-52.example/v1','grpc',01052,156,95.2,7.428571428,'',NULL,'2024-01-03 04:06:04.000000'),
(1060,6,'eu-west-1','https://replica-53.example/v1','websocket',01053,159,95.3,7.571428571,'',NULL,'2024-01-03 05:06:11.000000'),
(1061,7,'ap-south-1','https://replica-54.example/v1','https',01054,162,95.4,7.714285714,'',NULL,'2024-01-03 06:06:18.000000'),
(1062,8,'sa-east-1','https://replica-55.example/v1','grpc',NULL,165,95.5,7.857142857,'',NULL,'2024-01-03 07:06:25.000000'),
(1063,1,'us-east-1','https://replica-56.example/v1','websocket',01056,168,95.6,8,'',NULL,'2024-01-03 08:06:32.000000'),
(1064,2,'eu-west-1','https://replica-57.example/v1','https',01057,171,95.7,8.142857142,'',NULL,'2024-01-03 09:06:39.000000'),
(1065,3,'ap-south-1','https://replica-58.example/v1','grpc',01058,174,95.8,8.285714285,'',NULL,'2024-01-03 10:06:46.000000'),
(1066,4,'sa-east-1','https://replica-59.example/v1','websocket',01059,177,95.9,8.428571428,'',NULL,'2024-01-03 11:06:53.000000'),
(1067,5,'us-east-1','https://replica-60.example/v1','https',NULL,180,96,8.571428571,'',NULL,'2024-01-03 12:07:00.000000'),
(1068,6,'eu-west-1','https://replica-61.example/v1','grpc',01061,183,96.1,8.714285714,'',NULL,'2024-01-03 13:07:07.000000'),
(1069,7,'ap-south-1','https://replica-62.example/v1','websocket',01062,186,96.2,8.857142857,'',NULL,'2024-01-03 14:07:14.000000'),
(1070,8,'sa-east-1','https://replica-63.example/v1','https',01063,189,96.3,9,'',NULL,'2024-01-03 15:07:21.000000'),
(1071,1,'us-east-1','https://replica-64.example/v1','grpc',01064,192,96.4,9.142857142,'',NULL,'2024-01-03 16:07:28.000000'),
(1072,2,'eu-west-1','https://replica-65.example/v1','websocket',NULL,195,96.5,9.285714285,'',NULL,'2024-01-03 17:07:35.000000'),
(1073,3,'ap-south-1','https://replica-66.example/v1','https',01066,198,96.6,9.428571428,'',NULL,'2024-01-03 18:07:42.000000'),
(1074,4,'sa-east-1','https://replica-67.example/v1','grpc',01067,201,96.7,9.571428571,'',NULL,'2024-01-03 19:07:49.000000'),
(1075,5,'us-east-1','https://replica-68.example/v1','websocket',01068,204,96.8,9.714285714,'',NULL,'2024-01-03 20:07:56.000000'),
(1076,6,'eu-west-1','https://replica-69.example/v1','https',01069,207,96.9,9.857142857,'',NULL,'2024-01-03 21:08:03.000000'),
(1077,7,'ap-south-1','https://replica-70.example/v1','grpc',NULL,210,97,10,'',NULL,'2024-01-03 22:08:10.000000'),
(1078,8,'sa-east-1','https://replica-71.example/v1','websocket',01071,213,97.1,10.142857142,'',NULL,'2024-01-03 23:08:17.000000'),
(1079,1,'us-east-1','https://replica-72.example/v1','https',01072,216,97.2,10.285714285,'',NULL,'2024-01-04 00:08:24.000000'),
(1080,2,'eu-west-1','https://replica-73.example/v1','grpc',01073,219,97.3,10.428571428,'',NULL,'2024-01-04 01:08:31.000000'),
(1081,3,'ap-south-1','https://replica-74.example/v1','websocket',01074,222,97.4,10.571428571,'',NULL,'2024-01-04 02:08:38.000000'),
(1082,4,'sa-east-1','https://replica-75.example/v1','https',NULL,225,97.5,10.714285714,'',NULL,'2024-01-04 03:08:45.000000'),
(1083,5,'us-east-1','https://replica-76.example/v1','grpc',01076,228,97.6,10.857142857,'',NULL,'2024-01-04 04:08:52.000000'),
(1084,6,'eu-west-1','https://replica-77.example/v1','websocket',01077,231,97.7,11,'',NULL,'2024-01-04 05:08:59.000000'),
(1085,7,'ap-south-1','https://replica-78.example/v1','https',01078,234,97.8,11.142857142,'',NULL,'2024-01-04 06:09:06.000000'),
(1086,8,'sa-east-1','https://replica-79.example/v1','grpc',01079,237,97.9,11.285714285,'',NULL,'2024-01-04 07:09:13.000000'),
(1087,1,'us-east-1','https://replica-80.example/v1','websocket',NULL,240,98,11.428571428,'',NULL,'2024-01-04 08:09:20.000000'),
(1088,2,'eu-west-1','https://replica-81.example/v1','https',01081,243,98.1,11.571428571,'',NULL,'2024-01-04 09:09:27.000000'),
(1089,3,'ap-south-1','https://replica-82.example/v1','grpc',01082,246,98.2,11.714285714,'',NULL,'2024-01-04 10:09:34.000000'),
(1090,4,'sa-east-1','https://replica-83.example/v1','websocket',01083,249,98.3,11.857142857,'',NULL,'2024-01-04 11:09:41.000000'),
(1091,5,'us-east-1','https://replica-84.example/v1','https',01084,252,98.4,12,'',NULL,'2024-01-04 12:09:48.000000'),
(1092,6,'eu-west-1','https://replica-85.example/v1','grpc',NULL,255,98.5,12.142857142,'',NULL,'2024-01-04 13:09:55.000000'),
(1093,7,'ap-south-1','https://replica-86.example/v1','websocket',01086,258,98.6,12.285714285,'',NULL,'2024-01-04 14:10:02.000000'),
(1094,8,'sa-east-1','https://replica-87.example/v1','https',01087,261,98.7,12.428571428,'',NULL,'2024-01-04 15:10:09.000000'),
(1095,1,'us-east-1','https://replica-88.example/v1','grpc',01088,264,98.8,12.571428571,'',NULL,'2024-01-04 16:10:16.000000'),
(1096,2,'eu-west-1','https://replica-89.example/v1','websocket',01089,267,98.9,12.714285714,'',NULL,'2024-01-04 17:10:23.000000'),
(1097,3,'ap-south-1','https://replica-90.example/v1','https',NULL,270,99,12.857142857,'',NULL,'2024-01-04 18:10:30.000000'),
(1098,4,'sa-east-1','https://replica-91.example/v1','grpc',01091,273,99.1,13,'',NULL,'2024-01-04 19:10:37.000000'),
(1099,5,'us-east-1','https://replica-92.example/v1','websocket',01092,276,99.2,13.142857142,'',NULL,'2024-01-04 20:10:44.000000'),
(1100,6,'eu-west-1','https://replica-93.example/v1','https',01093,279,99.3,13.285714285,'',NULL,'2024-01-04 21:10:51.000000'),
(1101,7,'ap-south-1','https://replica-94.example/v1','grpc',01094,282,99.4,13.428571428,'',NULL,'2024-01-04 22:10:58.000000'),
(1102,8,'sa-east-1','https://replica-95.example/v1','websocket',NULL,285,99.5,13.571428571,'',NULL,'2024-01-04 23:11:05.000000'),
(1103,1,'us-east-1','https://replica-96.example/v1','https',01096,288,99.6,13.714285714,'',NULL,'2024-01-05 00:11:12.000000'),
(1104,2,'eu-west-1','https://replica-97.example/v1','grpc',01097,291,99.7,13.857142857,'',NULL,'2024-01-05 01:11:19.000000'),
(1105,3,'ap-south-1','https://replica-98.example/v1','websocket',01098,294,99.8,14,'',NULL,'2024-01-05 02:11:26.000000'),
(1106,4,'sa-east-1','https://replica-99.example/v1','https',01099,297,99.9,14.142857142,'',NULL,'2024-01-05 03:11:33.000000'),
(1107,5,'us-east-1','https://replica-100.example/v1','grpc',NULL,300,90,14.285714285,'',NULL,'2024-01-05 04:11:40.000000'),
(1108,6,'eu-west-1','https://replica-101.example/v1','websocket',01101,303,90.1,14.428571428,'',NULL,'2024-01-05 05:11:47.000000'),
(1109,7,'ap-south-1','https://replica-102.example/v1','https',01102,306,90.2,14.571428571,'',NULL,'2024-01-05 06:11:54.000000'),
(1110,8,'sa-east-1','https://replica-103.example/v1','grpc',01103,309,90.3,14.714285714,'',NULL,'2024-01-05 07:12:01.000000'),
(1111,1,'us-east-1','https://replica-104.example/v1','websocket',01104,312,90.4,14.857142857,'',NULL,'2024-01-05 08:12:08.000000'),
(1112,2,'eu-west-1','https://replica-105.example/v1','https',NULL,315,90.5,15,'',NULL,'2024-01-05 09:12:15.000000'),
(1113,3,'ap-south-1','https://replica-106.example/v1','grpc',01106,318,90.6,15.142857142,'',NULL,'2024-01-05 10:12:22.000000'),
(1114,4,'sa-east-1','https://replica-107.example/v1','websocket',01107,321,90.7,15.285714285,'',NULL,'2024-01-05 11:12:29.000000'),
(1115,5,'us-east-1','https://replica-108.example/v1','https',01108,324,90.8,15.428571428,'',NULL,'2024-01-05 12:12:36.000000'),
(1116,6,'eu-west-1','https://replica-109.example/v1','grpc',01109,327,90.9,15.571428571,'',NULL,'2024-01-05 13:12:43.000000'),
(1117,7,'ap-south-1','https://replica-110.example/v1','websocket',NULL,330,91,15.714285714,'',NULL,'2024-01-05 14:12:50.000000'),
(1118,8,'sa-east-1','https://replica-111.example/v1','https',01111,333,91.1,15.857142857,'',NULL,'2024-01-05 15:12:57.000000'),
(1119,1,'us-east-1','https://replica-112.example/v1','grpc',01112,336,91.2,16,'',NULL,'2024-01-05 16:13:04.000000'),
(1120,2,'eu-west-1','https://replica-113.example/v1','websocket',01113,339,91.3,16.142857142,'',NULL,'2024-01-05 17:13:11.000000'),
(1121,3,'ap-south-1','https://replica-114.example/v1','https',01114,342,91.4,16.285714285,'',NULL,'2024-01-05 18:13:18.000000'),
(1122,4,'sa-east-1','https://replica-115.example/v1','grpc',NULL,345,91.5,16.428571428,'',NULL,'2024-01-05 19:13:25.000000'),
(1123,5,'us-east-1','https://replica-116.example/v1','websocket',01116,348,91.6,16.571428571,'',NULL,'2024-01-05 20:13:32.000000'),
(1124,6,'eu-west-1','https://replica-117.example/v1','https',01117,351,91.7,16.714285714,'',NULL,'2024-01-05 21:13:39.000000'),
(1125,7,'ap-south-1','https://replica-118.example/v1','grpc',01118,354,91.8,16.857142857,'',NULL,'2024-01-05 22:13:46.000000'),
(1126,8,'sa-east-1','https://replica-119.example/v1','websocket',01119,357,91.9,17,'',NULL,'2024-01-05 23:13:53.000000'),
(1127,1,'us-east-1','https://replica-120.example/v1','https',NULL,360,92,17.142857142,'',NULL,'2024-01-06 00:14:00.000000');
/*!40000 ALTER TABLE `endpoints` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `model_tags`
--

DROP TABLE IF EXISTS `model_tags`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `model_tags` (
  `model_id` bigint(20) unsigned NOT NULL,
  `tag_id` tinyint(3) unsigned NOT NULL,
  PRIMARY KEY (`model_id`,`tag_id`),
  KEY `idx_model_tags_tag` (`tag_id`),
  CONSTRAINT `fk_model_tags_model` FOREIGN KEY (`model_id`) REFERENCES `models` (`id`),
  CONSTRAINT `fk_model_tags_tag` FOREIGN KEY (`tag_id`) REFERENCES `tags` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `model_tags`
--

LOCK TABLES `model_tags` WRITE;
/*!40000 ALTER TABLE `model_tags` DISABLE KEYS */;
INSERT INTO `model_tags` VALUES
(1,1),
(1,5),
(2,6),
(3,1),
(3,2),
(3,4),
(4,3),
(5,3),
(6,4),
(6,6),
(7,1),
(7,3),
(7,7),
(7,255),
(8,6);
/*!40000 ALTER TABLE `model_tags` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `models`
--

DROP TABLE IF EXISTS `models`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `models` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `provider_id` int(10) unsigned NOT NULL,
  `name` varchar(200) NOT NULL,
  `family` enum('llm','embedding','vision','speech','other') NOT NULL DEFAULT 'other',
  `modalities` set('text','image','audio','video') DEFAULT 'text',
  `context_tokens` mediumint(8) unsigned DEFAULT NULL,
  `params_billion` decimal(10,3) DEFAULT NULL,
  `open_weights` tinyint(1) NOT NULL DEFAULT 0,
  `description` text DEFAULT NULL,
  `card` mediumtext DEFAULT NULL,
  `config` longtext CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT NULL CHECK (json_valid(`config`)),
  `released` date DEFAULT NULL,
  `name_length` smallint(6) GENERATED ALWAYS AS (char_length(`name`)) VIRTUAL,
  `name_key` varchar(200) GENERATED ALWAYS AS (lcase(`name`)) STORED,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_models_provider_name` (`provider_id`,`name`),
  KEY `idx_models_family` (`family`),
  FULLTEXT KEY `ft_models_description` (`description`),
  CONSTRAINT `fk_models_provider` FOREIGN KEY (`provider_id`) REFERENCES `providers` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB AUTO_INCREMENT=9 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `models`
--

LOCK TABLES `models` WRITE;
/*!40000 ALTER TABLE `models` DISABLE KEYS */;
INSERT INTO `models` VALUES
(1,1,'nw-chat-large','llm','text',128000,175.000,0,'A large chat model.','Trained on public web text.','{\"temperature\": 0.7, \"top_p\": 0.95}','2023-03-14',13,'nw-chat-large'),
(2,1,'nw-embed-3','embedding','text',8192,0.350,0,'Text embeddings, 3072 dimensions.',NULL,'{\"dimensions\": 3072}','2024-01-25',10,'nw-embed-3'),
(3,2,'lumen-7b','llm','text',32768,7.241,1,'Open 7B model; Apache-2.0.','Card: see https://lumen.example/7b','{\"license\": \"Apache-2.0\", \"quant\": [\"q4\", \"q8\"]}','2023-09-27',8,'lumen-7b'),
(4,2,'lumen-vision','vision','text,image',16384,12.000,1,'Image and text in, text out.',NULL,NULL,'2024-02-01',12,'lumen-vision'),
(5,3,'kiwi-whisper','speech','text,audio',NULL,1.550,1,'Speech to text.',NULL,'{}',NULL,12,'kiwi-whisper'),
(6,4,'zml-tiny','other','',2048,0.001,1,NULL,NULL,'[]','2019-12-31',8,'zml-tiny'),
(7,5,'さくら-chat','llm','text,image,audio,video',16777215,99999.999,0,'Multilingual chat: 日本語, English, Français.','Emoji test: 🌸🤖','{\"name\": \"さくら\", \"emoji\": \"🌸\"}','2024-04-01',8,'さくら-chat'),
(8,6,'quote\'s \"model\"','other',NULL,0,NULL,0,'It\'s a model with a \\ backslash',NULL,'{\"q\": \"it\'s \\\"quoted\\\"\"}','2000-02-29',15,'quote\'s \"model\"');
/*!40000 ALTER TABLE `models` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `prices`
--

DROP TABLE IF EXISTS `prices`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `prices` (
  `endpoint_id` int(11) NOT NULL,
  `currency` char(3) NOT NULL DEFAULT 'USD',
  `unit` enum('1k_tokens','1m_tokens','image','second') NOT NULL,
  `price` decimal(20,10) NOT NULL,
  `price_exact` decimal(38,20) DEFAULT NULL COMMENT 'more digits than a double holds',
  `valid_from` date NOT NULL,
  PRIMARY KEY (`endpoint_id`,`currency`,`unit`,`valid_from`),
  CONSTRAINT `fk_prices_endpoint` FOREIGN KEY (`endpoint_id`) REFERENCES `endpoints` (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `prices`
--

LOCK TABLES `prices` WRITE;
/*!40000 ALTER TABLE `prices` DISABLE KEYS */;
INSERT INTO `prices` VALUES
(1000,'USD','1m_tokens',0.1500000000,NULL,'2024-01-01'),
(1000,'USD','image',9999999999.9999999999,123456789012345678.12345678901234567890,'2023-01-01'),
(1001,'CHF','second',0.0000000001,-0.00000000000000000001,'2023-01-01'),
(1001,'USD','1m_tokens',0.4833333333,NULL,'2024-01-01'),
(1002,'EUR','1k_tokens',0.0010000000,0.22222222222222222222,'2024-06-01'),
(1002,'JPY','second',-9999999999.9999999999,-999999999999999999.99999999999999999999,'2023-01-01'),
(1002,'USD','1m_tokens',0.8166666666,NULL,'2024-01-01'),
(1003,'USD','1m_tokens',1.1499999999,NULL,'2024-01-01'),
(1004,'USD','1m_tokens',1.4833333332,NULL,'2024-01-01'),
(1005,'EUR','1k_tokens',0.0040000000,0.55555555555555555555,'2024-06-01'),
(1005,'USD','1m_tokens',1.8166666665,NULL,'2024-01-01'),
(1006,'USD','1m_tokens',2.1499999998,NULL,'2024-01-01'),
(1007,'USD','1m_tokens',2.4833333331,NULL,'2024-01-01'),
(1008,'EUR','1k_tokens',0.0070000000,0.88888888888888888888,'2024-06-01'),
(1008,'USD','1m_tokens',2.8166666664,NULL,'2024-01-01'),
(1009,'USD','1m_tokens',3.1499999997,NULL,'2024-01-01'),
(1010,'USD','1m_tokens',3.4833333330,NULL,'2024-01-01'),
(1011,'EUR','1k_tokens',0.0100000000,0.11111111111111111111,'2024-06-01'),
(1011,'USD','1m_tokens',3.8166666663,NULL,'2024-01-01'),
(1012,'USD','1m_tokens',4.1499999996,NULL,'2024-01-01'),
(1013,'USD','1m_tokens',4.4833333329,NULL,'2024-01-01'),
(1014,'EUR','1k_tokens',0.0000000000,0.44444444444444444444,'2024-06-01'),
(1014,'USD','1m_tokens',4.8166666662,NULL,'2024-01-01'),
(1015,'USD','1m_tokens',5.1499999995,NULL,'2024-01-01'),
(1016,'USD','1m_tokens',5.4833333328,NULL,'2024-01-01'),
(1017,'EUR','1k_tokens',0.0030000000,0.77777777777777777777,'2024-06-01'),
(1017,'USD','1m_tokens',5.8166666661,NULL,'2024-01-01'),
(1018,'USD','1m_tokens',6.1499999994,NULL,'2024-01-01'),
(1019,'USD','1m_tokens',6.4833333327,NULL,'2024-01-01'),
(1020,'EUR','1k_tokens',0.0060000000,0.00000000000000000000,'2024-06-01'),
(1020,'USD','1m_tokens',6.8166666660,NULL,'2024-01-01'),
(1021,'USD','1m_tokens',7.1499999993,NULL,'2024-01-01'),
(1022,'USD','1m_tokens',7.4833333326,NULL,'2024-01-01'),
(1023,'EUR','1k_tokens',0.0090000000,0.33333333333333333333,'2024-06-01'),
(1023,'USD','1m_tokens',7.8166666659,NULL,'2024-01-01'),
(1024,'USD','1m_tokens',8.1499999992,NULL,'2024-01-01'),
(1025,'USD','1m_tokens',8.4833333325,NULL,'2024-01-01'),
(1026,'EUR','1k_tokens',0.0120000000,0.66666666666666666666,'2024-06-01'),
(1026,'USD','1m_tokens',8.8166666658,NULL,'2024-01-01'),
(1027,'USD','1m_tokens',9.1499999991,NULL,'2024-01-01'),
(1028,'USD','1m_tokens',9.4833333324,NULL,'2024-01-01'),
(1029,'EUR','1k_tokens',0.0020000000,0.99999999999999999999,'2024-06-01'),
(1029,'USD','1m_tokens',9.8166666657,NULL,'2024-01-01'),
(1030,'USD','1m_tokens',10.1499999990,NULL,'2024-01-01'),
(1031,'USD','1m_tokens',10.4833333323,NULL,'2024-01-01'),
(1032,'EUR','1k_tokens',0.0050000000,0.22222222222222222222,'2024-06-01'),
(1032,'USD','1m_tokens',10.8166666656,NULL,'2024-01-01'),
(1033,'USD','1m_tokens',11.1499999989,NULL,'2024-01-01'),
(1034,'USD','1m_tokens',11.4833333322,NULL,'2024-01-01'),
(1035,'EUR','1k_tokens',0.0080000000,0.55555555555555555555,'2024-06-01'),
(1035,'USD','1m_tokens',11.8166666655,NULL,'2024-01-01'),
(1036,'USD','1m_tokens',12.1499999988,NULL,'2024-01-01'),
(1037,'USD','1m_tokens',12.4833333321,NULL,'2024-01-01'),
(1038,'EUR','1k_tokens',0.0110000000,0.88888888888888888888,'2024-06-01'),
(1038,'USD','1m_tokens',12.8166666654,NULL,'2024-01-01'),
(1039,'USD','1m_tokens',13.1499999987,NULL,'2024-01-01'),
(1040,'USD','1m_tokens',13.4833333320,NULL,'2024-01-01'),
(1041,'EUR','1k_tokens',0.0010000000,0.11111111111111111111,'2024-06-01'),
(1041,'USD','1m_tokens',13.8166666653,NULL,'2024-01-01'),
(1042,'USD','1m_tokens',14.1499999986,NULL,'2024-01-01'),
(1043,'USD','1m_tokens',14.4833333319,NULL,'2024-01-01'),
(1044,'EUR','1k_tokens',0.0040000000,0.44444444444444444444,'2024-06-01'),
(1044,'USD','1m_tokens',14.8166666652,NULL,'2024-01-01'),
(1045,'USD','1m_tokens',15.1499999985,NULL,'2024-01-01'),
(1046,'USD','1m_tokens',15.4833333318,NULL,'2024-01-01'),
(1047,'EUR','1k_tokens',0.0070000000,0.77777777777777777777,'2024-06-01'),
(1047,'USD','1m_tokens',15.8166666651,NULL,'2024-01-01'),
(1048,'USD','1m_tokens',16.1499999984,NULL,'2024-01-01'),
(1049,'USD','1m_tokens',16.4833333317,NULL,'2024-01-01'),
(1050,'EUR','1k_tokens',0.0100000000,0.00000000000000000000,'2024-06-01'),
(1050,'USD','1m_tokens',0.1500000000,NULL,'2024-01-01'),
(1051,'USD','1m_tokens',0.4833333333,NULL,'2024-01-01'),
(1052,'USD','1m_tokens',0.8166666666,NULL,'2024-01-01'),
(1053,'EUR','1k_tokens',0.0000000000,0.33333333333333333333,'2024-06-01'),
(1053,'USD','1m_tokens',1.1499999999,NULL,'2024-01-01'),
(1054,'USD','1m_tokens',1.4833333332,NULL,'2024-01-01'),
(1055,'USD','1m_tokens',1.8166666665,NULL,'2024-01-01'),
(1056,'EUR','1k_tokens',0.0030000000,0.66666666666666666666,'2024-06-01'),
(1056,'USD','1m_tokens',2.1499999998,NULL,'2024-01-01'),
(1057,'USD','1m_tokens',2.4833333331,NULL,'2024-01-01'),
(1058,'USD','1m_tokens',2.8166666664,NULL,'2024-01-01'),
(1059,'EUR','1k_tokens',0.0060000000,0.99999999999999999999,'2024-06-01'),
(1059,'USD','1m_tokens',3.1499999997,NULL,'2024-01-01'),
(1060,'USD','1m_tokens',3.4833333330,NULL,'2024-01-01'),
(1061,'USD','1m_tokens',3.8166666663,NULL,'2024-01-01'),
(1062,'EUR','1k_tokens',0.0090000000,0.22222222222222222222,'2024-06-01'),
(1062,'USD','1m_tokens',4.1499999996,NULL,'2024-01-01'),
(1063,'USD','1m_tokens',4.4833333329,NULL,'2024-01-01'),
(1064,'USD','1m_tokens',4.8166666662,NULL,'2024-01-01'),
(1065,'EUR','1k_tokens',0.0120000000,0.55555555555555555555,'2024-06-01'),
(1065,'USD','1m_tokens',5.1499999995,NULL,'2024-01-01'),
(1066,'USD','1m_tokens',5.4833333328,NULL,'2024-01-01'),
(1067,'USD','1m_tokens',5.8166666661,NULL,'2024-01-01'),
(1068,'EUR','1k_tokens',0.0020000000,0.88888888888888888888,'2024-06-01'),
(1068,'USD','1m_tokens',6.1499999994,NULL,'2024-01-01'),
(1069,'USD','1m_tokens',6.4833333327,NULL,'2024-01-01'),
(1070,'USD','1m_tokens',6.8166666660,NULL,'2024-01-01'),
(1071,'EUR','1k_tokens',0.0050000000,0.11111111111111111111,'2024-06-01'),
(1071,'USD','1m_tokens',7.1499999993,NULL,'2024-01-01'),
(1072,'USD','1m_tokens',7.4833333326,NULL,'2024-01-01'),
(1073,'USD','1m_tokens',7.8166666659,NULL,'2024-01-01'),
(1074,'EUR','1k_tokens',0.0080000000,0.44444444444444444444,'2024-06-01'),
(1074,'USD','1m_tokens',8.1499999992,NULL,'2024-01-01'),
(1075,'USD','1m_tokens',8.4833333325,NULL,'2024-01-01'),
(1076,'USD','1m_tokens',8.8166666658,NULL,'2024-01-01'),
(1077,'EUR','1k_tokens',0.0110000000,0.77777777777777777777,'2024-06-01'),
(1077,'USD','1m_tokens',9.1499999991,NULL,'2024-01-01'),
(1078,'USD','1m_tokens',9.4833333324,NULL,'2024-01-01'),
(1079,'USD','1m_tokens',9.8166666657,NULL,'2024-01-01'),
(1080,'EUR','1k_tokens',0.0010000000,0.00000000000000000000,'2024-06-01'),
(1080,'USD','1m_tokens',10.1499999990,NULL,'2024-01-01'),
(1081,'USD','1m_tokens',10.4833333323,NULL,'2024-01-01'),
(1082,'USD','1m_tokens',10.8166666656,NULL,'2024-01-01'),
(1083,'EUR','1k_tokens',0.0040000000,0.33333333333333333333,'2024-06-01'),
(1083,'USD','1m_tokens',11.1499999989,NULL,'2024-01-01'),
(1084,'USD','1m_tokens',11.4833333322,NULL,'2024-01-01'),
(1085,'USD','1m_tokens',11.8166666655,NULL,'2024-01-01'),
(1086,'EUR','1k_tokens',0.0070000000,0.66666666666666666666,'2024-06-01'),
(1086,'USD','1m_tokens',12.1499999988,NULL,'2024-01-01'),
(1087,'USD','1m_tokens',12.4833333321,NULL,'2024-01-01'),
(1088,'USD','1m_tokens',12.8166666654,NULL,'2024-01-01'),
(1089,'EUR','1k_tokens',0.0100000000,0.99999999999999999999,'2024-06-01'),
(1089,'USD','1m_tokens',13.1499999987,NULL,'2024-01-01'),
(1090,'USD','1m_tokens',13.4833333320,NULL,'2024-01-01'),
(1091,'USD','1m_tokens',13.8166666653,NULL,'2024-01-01'),
(1092,'EUR','1k_tokens',0.0000000000,0.22222222222222222222,'2024-06-01'),
(1092,'USD','1m_tokens',14.1499999986,NULL,'2024-01-01'),
(1093,'USD','1m_tokens',14.4833333319,NULL,'2024-01-01'),
(1094,'USD','1m_tokens',14.8166666652,NULL,'2024-01-01'),
(1095,'EUR','1k_tokens',0.0030000000,0.55555555555555555555,'2024-06-01'),
(1095,'USD','1m_tokens',15.1499999985,NULL,'2024-01-01'),
(1096,'USD','1m_tokens',15.4833333318,NULL,'2024-01-01'),
(1097,'USD','1m_tokens',15.8166666651,NULL,'2024-01-01'),
(1098,'EUR','1k_tokens',0.0060000000,0.88888888888888888888,'2024-06-01'),
(1098,'USD','1m_tokens',16.1499999984,NULL,'2024-01-01'),
(1099,'USD','1m_tokens',16.4833333317,NULL,'2024-01-01'),
(1100,'USD','1m_tokens',0.1500000000,NULL,'2024-01-01'),
(1101,'EUR','1k_tokens',0.0090000000,0.11111111111111111111,'2024-06-01'),
(1101,'USD','1m_tokens',0.4833333333,NULL,'2024-01-01'),
(1102,'USD','1m_tokens',0.8166666666,NULL,'2024-01-01'),
(1103,'USD','1m_tokens',1.1499999999,NULL,'2024-01-01'),
(1104,'EUR','1k_tokens',0.0120000000,0.44444444444444444444,'2024-06-01'),
(1104,'USD','1m_tokens',1.4833333332,NULL,'2024-01-01'),
(1105,'USD','1m_tokens',1.8166666665,NULL,'2024-01-01'),
(1106,'USD','1m_tokens',2.1499999998,NULL,'2024-01-01'),
(1107,'EUR','1k_tokens',0.0020000000,0.77777777777777777777,'2024-06-01'),
(1107,'USD','1m_tokens',2.4833333331,NULL,'2024-01-01'),
(1108,'USD','1m_tokens',2.8166666664,NULL,'2024-01-01'),
(1109,'USD','1m_tokens',3.1499999997,NULL,'2024-01-01'),
(1110,'EUR','1k_tokens',0.0050000000,0.00000000000000000000,'2024-06-01'),
(1110,'USD','1m_tokens',3.4833333330,NULL,'2024-01-01'),
(1111,'USD','1m_tokens',3.8166666663,NULL,'2024-01-01'),
(1112,'USD','1m_tokens',4.1499999996,NULL,'2024-01-01'),
(1113,'EUR','1k_tokens',0.0080000000,0.33333333333333333333,'2024-06-01'),
(1113,'USD','1m_tokens',4.4833333329,NULL,'2024-01-01'),
(1114,'USD','1m_tokens',4.8166666662,NULL,'2024-01-01'),
(1115,'USD','1m_tokens',5.1499999995,NULL,'2024-01-01'),
(1116,'EUR','1k_tokens',0.0110000000,0.66666666666666666666,'2024-06-01'),
(1116,'USD','1m_tokens',5.4833333328,NULL,'2024-01-01'),
(1117,'USD','1m_tokens',5.8166666661,NULL,'2024-01-01'),
(1118,'USD','1m_tokens',6.1499999994,NULL,'2024-01-01'),
(1119,'EUR','1k_tokens',0.0010000000,0.99999999999999999999,'2024-06-01'),
(1119,'USD','1m_tokens',6.4833333327,NULL,'2024-01-01'),
(1120,'USD','1m_tokens',6.8166666660,NULL,'2024-01-01'),
(1121,'USD','1m_tokens',7.1499999993,NULL,'2024-01-01'),
(1122,'EUR','1k_tokens',0.0040000000,0.22222222222222222222,'2024-06-01'),
(1122,'USD','1m_tokens',7.4833333326,NULL,'2024-01-01'),
(1123,'USD','1m_tokens',7.8166666659,NULL,'2024-01-01'),
(1124,'USD','1m_tokens',8.1499999992,NULL,'2024-01-01'),
(1125,'EUR','1k_tokens',0.0070000000,0.55555555555555555555,'2024-06-01'),
(1125,'USD','1m_tokens',8.4833333325,NULL,'2024-01-01'),
(1126,'USD','1m_tokens',8.8166666658,NULL,'2024-01-01'),
(1127,'USD','1m_tokens',9.1499999991,NULL,'2024-01-01');
/*!40000 ALTER TABLE `prices` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `providers`
--

DROP TABLE IF EXISTS `providers`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `providers` (
  `id` int(10) unsigned NOT NULL AUTO_INCREMENT,
  `slug` varchar(64) NOT NULL,
  `name` varchar(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL COMMENT 'display name',
  `country` char(2) CHARACTER SET latin1 COLLATE latin1_swedish_ci DEFAULT NULL COMMENT 'ISO 3166 code',
  `city` varchar(100) CHARACTER SET latin1 COLLATE latin1_swedish_ci DEFAULT NULL,
  `website` varchar(255) DEFAULT NULL,
  `is_active` tinyint(1) NOT NULL DEFAULT 1,
  `verified` tinyint(1) DEFAULT NULL,
  `founded` year(4) DEFAULT NULL,
  `created_at` timestamp NOT NULL DEFAULT current_timestamp(),
  `updated_at` timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp(),
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_providers_slug` (`slug`),
  KEY `idx_providers_country` (`country`,`city`)
) ENGINE=InnoDB AUTO_INCREMENT=7 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci COMMENT='companies that serve models';
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `providers`
--

LOCK TABLES `providers` WRITE;
/*!40000 ALTER TABLE `providers` DISABLE KEYS */;
INSERT INTO `providers` VALUES
(1,'northwind-ai','Northwind AI','US','Seattle','https://northwind.example',1,1,2016,'2020-01-15 08:00:00','2024-03-01 12:30:00'),
(2,'lumen-labs','Lumen Labs','FR','Paris','https://lumen.example',1,1,2019,'2021-06-01 00:00:00','2024-02-11 09:15:42'),
(3,'kiwi-compute','Kiwi Compute','NZ','Wellington',NULL,1,NULL,NULL,'2022-09-30 23:59:59','2022-09-30 23:59:59'),
(4,'zurich-ml','Zürich ML','CH','Zürich','https://zml.example',0,0,2015,'2019-05-05 05:05:05','2023-12-31 23:59:59'),
(5,'sakura-models','さくらモデル','JP','T?ky?','https://sakura.example',1,1,2020,'2023-04-01 09:00:00','2024-04-01 09:00:00'),
(6,'quote-co','O\'Brien & \"Sons\" \\ Co',NULL,NULL,NULL,1,NULL,1901,'2038-01-19 03:14:07','1970-01-01 00:00:01');
/*!40000 ALTER TABLE `providers` ENABLE KEYS */;
UNLOCK TABLES;

--
-- Table structure for table `tags`
--

DROP TABLE IF EXISTS `tags`;
/*!40101 SET @saved_cs_client     = @@character_set_client */;
/*!40101 SET character_set_client = utf8mb4 */;
CREATE TABLE `tags` (
  `id` tinyint(3) unsigned NOT NULL AUTO_INCREMENT,
  `name` varchar(50) NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `uq_tags_name` (`name`)
) ENGINE=InnoDB AUTO_INCREMENT=256 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci;
/*!40101 SET character_set_client = @saved_cs_client */;

--
-- Dumping data for table `tags`
--

LOCK TABLES `tags` WRITE;
/*!40000 ALTER TABLE `tags` DISABLE KEYS */;
INSERT INTO `tags` VALUES
(1,'chat'),
(6,'cheap'),
(2,'code'),
(5,'fast'),
(7,'long-context'),
(255,'max-tinyint-unsigned'),
(3,'multilingual'),
(4,'open-weights');
/*!40000 ALTER TABLE `tags` ENABLE KEYS */;
UNLOCK TABLES;
/*!40103 SET TIME_ZONE=@OLD_TIME_ZONE */;

/*!40101 SET SQL_MODE=@OLD_SQL_MODE */;
/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;
/*!40014 SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS */;
/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;
/*!40101 SET CHARACTER_SET_RESULTS=@OLD_CHARACTER_SET_RESULTS */;
/*!40101 SET COLLATION_CONNECTION=@OLD_COLLATION_CONNECTION */;
/*!40111 SET SQL_NOTES=@OLD_SQL_NOTES */;

-- Dump completed on 2026-11-22  8:25:41
