import { zooShard } from "./zoo.js";

zooShard(4, 6);
