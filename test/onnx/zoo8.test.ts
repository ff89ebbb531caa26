import { zooShard } from "./zoo.js";

zooShard(7, 8);
